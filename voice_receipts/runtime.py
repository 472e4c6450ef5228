"""Building the App: one construction path for the function, `serve` and `replay`.

The function's App is process-wide: config read once, the store's client built once and reused
by every invocation.
"""

from __future__ import annotations

import random
import threading

from voice_receipts import logs
from voice_receipts.app import App
from voice_receipts.config import Settings, load_settings
from voice_receipts.metrics import Metrics, process_age_ms
from voice_receipts.stores import open_store

_app: App | None = None
_lock = threading.Lock()


def build_app(settings: Settings, log_level: str | None = None) -> App:
    """Logs first (so the store's start-up can log), then the store, then the App.
    `log_level` overrides the configured one (the CLI prints its own report)."""
    logs.configure(log_level or settings.log_level)
    store = open_store(settings.store, settings)
    metrics = Metrics(settings.function_name or "", process_age_ms()) if settings.metrics else None
    return App.configured(settings, store, metrics)


def get_app() -> App:
    """The function's App, built on first use from the environment."""
    global _app
    if _app is None:
        with _lock:
            if _app is None:
                settings = load_settings()
                app = build_app(settings)
                if settings.cloud:
                    _warm(app)
                    if app.metrics is not None:  # init ends here: the warm-up is part of it
                        app.metrics.init_ms = process_age_ms()
                _app = app
    return _app


def _warm(app: App) -> None:
    # a warm-up is an optimisation: if it ever fails, receipts must still be taken
    try:
        app.warm()
    except Exception:
        logs.log.warning("warm-up at init failed; the first receipt does the work", exc_info=True)


def reset() -> None:
    """Forget the App (tests); closes its store."""
    global _app
    with _lock:
        if _app is not None:
            _app.store.close()
        _app = None


def after_restore() -> None:
    """Lambda SnapStart resumes many copies of one snapshot of init: give each its own state.

    random is reseeded: every copy would otherwise draw the same sequence (botocore's retry
    jitter draws from it); uuid4 and secrets read os.urandom, unique already. The AWS stores'
    botocore client drops its pooled connections (close() empties the pool; the client opens
    new ones on its next call), so no socket from before the snapshot is shared or reused. The
    client itself is kept: building it again costs ~60 ms of CPU here (a new botocore session
    parses the service model again), in every restore. Its credentials are refreshable ones
    (SnapStart functions get them from the container endpoint), renewed by botocore on expiry.
    """
    random.seed()
    if _app is not None and _app.metrics is not None:
        # a restore is this copy's cold start; the init the snapshot measured was not its own
        # (Lambda's REPORT line gives the Restore Duration)
        _app.metrics.cold, _app.metrics.init_ms = True, None
    if _app is not None:
        _app.store.disconnect()


def register_snapstart_hooks() -> bool:
    """Register after_restore with Lambda's SnapStart runtime hooks, where they exist.

    snapshot_restore_py ships in Lambda's Python runtimes only (never in the package): elsewhere,
    and on SCF, there is nothing to register. Without SnapStart the hook is never called."""
    try:
        from snapshot_restore_py import register_after_restore
    except ImportError:
        return False
    register_after_restore(after_restore)
    return True
