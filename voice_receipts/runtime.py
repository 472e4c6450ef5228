"""Building the App: one construction path for the function, `serve` and `replay`.

The function's App is process-wide: config read once, the store's client built once and reused
by every invocation.
"""

from __future__ import annotations

from voice_receipts import logs
from voice_receipts.app import App
from voice_receipts.config import Settings, load_settings
from voice_receipts.entry import PerProcess
from voice_receipts.errors import ConfigError, StoreUnavailable, VoiceReceiptsError
from voice_receipts.metrics import Metrics, process_age_ms
from voice_receipts.stores import open_store


def build_app(settings: Settings, log_level: str | None = None) -> App:
    """Logs first (so the store's start-up can log), then the store, then the App.
    `log_level` overrides the configured one (the CLI prints its own report)."""
    logs.configure(log_level or settings.log_level)
    store = open_store(settings.store, settings)
    metrics = Metrics(settings.function_name or "", process_age_ms()) if settings.metrics else None
    return App.configured(settings, store, metrics)


def _function_app() -> App:
    """The function's App from the environment; warmed in a cloud runtime."""
    settings = load_settings()
    app = build_app(settings)
    if settings.cloud:
        _warm(app)
        if app.metrics is not None:  # init ends here: the warm-up is part of it
            app.metrics.init_ms = process_age_ms()
    return app


_APP: PerProcess[App] = PerProcess(_function_app, on_reset=lambda app: app.store.close())
get_app = _APP.get  # the function's App, built on first use (handler.py)
current = _APP.peek  # the App if one was built (SnapStart's restore hook, tests)
reset = _APP.reset  # forget the App (tests); closes its store


def _warm(app: App) -> None:
    """The warm-up runs a receipt's own path: what fails here fails every receipt, so it stops the
    start (a bad setting, a missing table, access denied), where swallowing it would answer each
    receipt with a 500. A store unavailable right now (a paused database, a network blip) only
    logs: the first receipt waits for it, or gets a 503 VMS retries."""
    try:
        app.warm()
    except StoreUnavailable:
        logs.log.warning(
            "warm-up at init: the store is unavailable now; the first receipt waits for it", exc_info=True
        )
    except Exception as exc:  # noqa: BLE001 - any other failure is one every receipt would repeat
        logs.log.error("warm-up at init failed: every receipt would fail the same way", exc_info=True)
        if isinstance(exc, VoiceReceiptsError):
            raise
        raise ConfigError(
            f"warm-up at init failed ({type(exc).__name__}): every receipt would fail the same way;"
            " check the settings"
        ) from exc


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
    import random  # here: only a restore needs it, not every cold start

    random.seed()
    app = current()
    if app is not None and app.metrics is not None:
        # a restore is this copy's cold start; the init the snapshot measured was not its own
        # (Lambda's REPORT line gives the Restore Duration)
        app.metrics.cold, app.metrics.init_ms = True, None
    if app is not None:
        app.store.disconnect()


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
