"""Building the App: one construction path for the function, `serve` and `replay`.

The function's App is process-wide: config read once, the store's client built once and reused
by every invocation.
"""

from __future__ import annotations

import threading

from voice_receipts import logs
from voice_receipts.app import App
from voice_receipts.config import Settings, load_settings
from voice_receipts.stores import open_store

_app: App | None = None
_lock = threading.Lock()


def build_app(settings: Settings, log_level: str | None = None) -> App:
    """Logs first (so the store's start-up can log), then the store, then the App.
    `log_level` overrides the configured one (the CLI prints its own report)."""
    logs.configure(log_level or settings.log_level)
    return App(settings, open_store(settings.store, settings))


def get_app() -> App:
    """The function's App, built on first use from the environment."""
    global _app
    if _app is None:
        with _lock:
            if _app is None:
                _app = build_app(load_settings())
    return _app


def reset() -> None:
    """Forget the App (tests); closes its store."""
    global _app
    with _lock:
        if _app is not None:
            _app.store.close()
        _app = None
