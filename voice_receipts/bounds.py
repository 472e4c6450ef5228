"""Checks of single settings for config.py: a value a setting may not take stops the start-up
(ConfigError), so that no setting passes start-up and then fails every receipt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voice_receipts.errors import ConfigError


def whole_number(
    env: Mapping[str, str], name: str, low: int, high: int, over: str | None = None
) -> int | None:
    """A numeric setting within [low, high], or None when unset; `over` says why high is the
    bound. ASCII digits only: int() also reads "١٢", "1_000" and thousands of digits."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    shown = raw[:40] + ("…" if len(raw) > 40 else "")
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError(f"{name} must be a whole number from {low:,} to {high:,}, got {shown!r}")
    beyond = high + 1  # pragma: no mutate; any value over `high` (high + 2 too) is refused alike
    value = int(raw) if len(raw) <= len(str(high)) else beyond  # more digits than high: unread
    if value > high and over:
        raise ConfigError(over.format(value=shown))
    if not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low:,} to {high:,}, got {shown}")
    return value


def durable(store: Any, allowed: bool) -> Any:
    """`store` (a config.StoreURL) if it keeps what it acknowledges, else ConfigError. A SQLite
    target is durable when it is a plain file path, defined positively: not `:memory:`, not a
    `file:` URI (this SQLite opens those as URIs, so `file::memory:`, `?mode=memory` or
    `?vfs=memdb` would be in memory, and an empty name a temporary file deleted on close), not a
    folder."""
    if store.scheme != "sqlite" or allowed:
        return store
    target = store.target
    if (
        target.strip().lower() in ("", ":memory:")
        or target.lower().startswith("file:")
        or target.endswith("/")
    ):
        raise ConfigError(
            f"{store} is not a database file: receipts acknowledged there would vanish when the"
            " process ends; give a file path such as sqlite:///receipts.db"
            " (VOICE_RECEIPTS_ALLOW_EPHEMERAL_STORE=true allows it, for tests)"
        )
    return store
