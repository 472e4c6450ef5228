"""The process-wide App: config read once, the store's client built once and reused."""

from __future__ import annotations

import threading

from voice_receipts import logs
from voice_receipts.app import App
from voice_receipts.config import load_settings
from voice_receipts.stores import open_store

_app: App | None = None
_lock = threading.Lock()


def get_app() -> App:
    global _app
    if _app is None:
        with _lock:
            if _app is None:
                settings = load_settings()
                logs.configure(settings.log_level)
                _app = App(settings, open_store(settings.store_url, settings))
    return _app


def reset() -> None:
    """Forget the App (tests, and `serve`/`replay` switching stores); closes its store."""
    global _app
    with _lock:
        if _app is not None:
            _app.store.close()
        _app = None
