"""Replay files of receipts through the production handler: folders, JSON files, JSON Lines files."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice_receipts.app import App
from voice_receipts.callbacks import MODELS

SUFFIXES = (".json", ".jsonl")
PROGRESS_FROM = 200  # items; below this a progress bar is only noise


@dataclass(frozen=True)
class Item:
    source: str  # path, or path:line for JSON Lines
    event: Any  # the parsed event, or None when the text is not JSON
    error: str | None = None


@dataclass(frozen=True)
class Result:
    source: str
    status: int
    result: int
    outcome: str
    callid: str | None
    kind: str | None
    errmsg: str

    @property
    def accepted(self) -> bool:
        return self.status == 200


def files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            yield path  # a named file is replayed whatever its suffix; a missing one is reported


def items(paths: Iterable[str | Path]) -> Iterator[Item]:
    for path in files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield Item(str(path), None, f"cannot read: {exc.__class__.__name__}")
            continue
        if path.suffix == ".jsonl":
            for number, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    yield _parse(f"{path}:{number}", line)
        else:
            yield _parse(str(path), text)


def _parse(source: str, text: str) -> Item:
    try:
        return Item(source, json.loads(text))
    except ValueError as exc:
        return Item(source, None, f"not JSON: {exc}")


def replay_one(app: App, item: Item) -> Result:
    if item.error is not None:
        return Result(item.source, 400, 4001, "unreadable", None, None, item.error)
    handled = app.handle(item.event, {"request_id": f"replay:{item.source}"})
    reply, receipt = handled.reply, handled.receipt
    callid, kind = (receipt.callid, receipt.kind) if receipt else _peek(item.event)
    return Result(item.source, reply.status, reply.result, reply.outcome, callid, kind, reply.errmsg)


def _peek(event: Any) -> tuple[str | None, str | None]:
    """Best-effort callid and kind of a rejected bare body, so the report line says which it was."""
    if isinstance(event, dict) and len(event) == 1:
        key, raw = next(iter(event.items()))
        if key in MODELS and isinstance(raw, dict):
            callid = raw.get("callid")
            return (str(callid) if callid is not None else None), MODELS[key].KIND
    return None, None


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal and the input is large."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.on = total >= PROGRESS_FROM and sys.stderr.isatty()

    def step(self, done: int) -> None:
        if self.on and (done % 50 == 0 or done == self.total):
            width = 30
            filled = width * done // self.total
            bar = "#" * filled + "." * (width - filled)
            sys.stderr.write(f"\r[{bar}] {done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.on:
            sys.stderr.write("\n")


def load_expected(path: str | Path) -> dict[str, dict[str, Any]]:
    """The [files] table of an expectations file: source (relative to the file) -> status, outcome."""
    import tomllib

    path = Path(path)
    with path.open("rb") as f:
        table = tomllib.load(f).get("files", {})
    base = path.parent.resolve()
    return {str((base / name).resolve()): want for name, want in table.items()}


def expected_for(expected: dict[str, dict[str, Any]], source: str) -> dict[str, Any] | None:
    file, _, line = source.rpartition(":") if source.endswith(tuple("0123456789")) else (source, "", "")
    key = str(Path(file or source).resolve()) + (f":{line}" if line else "")
    return expected.get(key)


def replay(app: App, paths: Iterable[str | Path]) -> Iterator[Result]:
    all_items = list(items(paths))
    progress = Progress(len(all_items))
    try:
        for done, item in enumerate(all_items, 1):
            yield replay_one(app, item)
            progress.step(done)
    finally:
        progress.close()
