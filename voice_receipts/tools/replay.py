"""Replay files of receipts through the production handler: folders, JSON files, JSON Lines files."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice_receipts.app import App
from voice_receipts.callbacks import MODELS, load_json
from voice_receipts.errors import NotJSON
from voice_receipts.progress import Progress
from voice_receipts.tools.errors import UsageError

SUFFIXES = (".json", ".jsonl")
# Outcomes of items that never reach the handler, so no HTTP status: what was named is not there,
# or is there and cannot be read (a file, a folder that cannot be listed, bytes that are not UTF-8).
MISSING = "missing"
UNREADABLE = "unreadable"
REJECTED = "rejected"  # what the handler answers a body that is not JSON: the same words here
JSON_WHITESPACE = " \t\r\n"  # a JSON Lines line of only these is blank; U+2028 and kin are not


@dataclass(frozen=True)
class Result:
    source: str
    status: int | None  # None: the item never reached the handler (MISSING, UNREADABLE)
    result: int | None
    outcome: str
    callid: str | None
    kind: str | None
    errmsg: str

    @property
    def accepted(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class Item:
    source: str  # path, or path:line for JSON Lines
    event: Any  # the parsed event, or None when it failed before the handler
    failed: Result | None = None  # why it never reaches the handler


def _failed(
    source: str, outcome: str, errmsg: str, status: int | None = None, result: int | None = None
) -> Item:
    return Item(source, None, Result(source, status, result, outcome, None, None, errmsg))


def items(paths: Iterable[str | Path]) -> Iterator[Item]:
    """Every item of every path; a path that fails is an item that failed, never an exception."""
    for path in map(Path, paths):
        try:
            is_dir = path.is_dir()
        except (OSError, ValueError) as exc:  # a name too long, a NUL: not a path this system has
            yield _failed(str(path), UNREADABLE, f"not a usable path ({type(exc).__name__})")
            continue
        if is_dir:
            yield from _folder(path)
        else:
            yield from _file(path)  # a named file is replayed whatever its suffix


def _folder(folder: Path) -> Iterator[Item]:
    errors: list[OSError] = []
    files: list[Path] = []
    # os.walk, not rglob: rglob skips a folder it cannot list without a word
    for root, _dirs, names in os.walk(folder, onerror=errors.append):
        paths = (Path(root, name) for name in names if Path(name).suffix in SUFFIXES)
        # a FIFO or socket would block or fail; a broken or looping link is reported as such
        files += [p for p in paths if p.is_file() or not p.exists()]
    found: list[tuple[Path, Item | None]] = [(p, None) for p in files]
    for exc in errors:
        why = f"cannot list folder: {exc.strerror or type(exc).__name__}"
        found.append((Path(exc.filename), _failed(str(exc.filename), UNREADABLE, why)))
    for path, failed in sorted(found, key=lambda pair: pair[0]):
        yield from [failed] if failed else _file(path)


def _file(path: Path) -> Iterator[Item]:
    """A file's items as it is read: a JSON Lines file a line at a time (memory: one line), a
    JSON file whole (one item, within the handler's body limit anyway)."""
    try:
        with path.open("rb") as f:
            if path.suffix == ".jsonl":
                yield from _lines(path, f)
                return
            data = f.read()
    except FileNotFoundError:
        yield _failed(str(path), MISSING, "no such file")
        return
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        yield _failed(
            str(path), UNREADABLE, f"cannot read: {getattr(exc, 'strerror', None) or type(exc).__name__}"
        )
        return
    try:
        text = data.decode("utf-8-sig")  # -sig: a byte-order mark at the start is dropped
    except UnicodeDecodeError as exc:
        yield _failed(str(path), UNREADABLE, f"not UTF-8 text (byte {exc.start})")
        return
    yield _parse(str(path), text)


def _lines(path: Path, f) -> Iterator[Item]:
    # b"\n" only: str.splitlines also splits on U+2028, U+2029 and U+0085, legal inside JSON strings
    offset = 0
    for number, raw in enumerate(f, 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:  # the lines before it are replayed; the rest cannot be trusted
            yield _failed(str(path), UNREADABLE, f"not UTF-8 text (byte {offset + exc.start})")
            return
        offset += len(raw)
        if line.strip(JSON_WHITESPACE):
            yield _parse(f"{path}:{number}", line)


def count(paths: Iterable[str | Path]) -> int:
    """About how many items `paths` hold, for a progress bar: JSON Lines files' newlines counted
    a megabyte at a time (nothing parsed, memory constant), one per other file."""
    total = 0
    for path in map(Path, paths):
        try:
            files = [path] if not path.is_dir() else [p for p in path.rglob("*") if p.suffix in SUFFIXES]
        except (OSError, ValueError):  # items() says why; the bar counts it as one
            files = []
            total += 1
        for file in files:
            if file.suffix != ".jsonl":
                total += 1
                continue
            try:
                with file.open("rb") as f:
                    last = b"\n"
                    for chunk in iter(functools.partial(f.read, 1 << 20), b""):
                        total, last = total + chunk.count(b"\n"), chunk[-1:]
                    total += last != b"\n"  # a last line without its newline
            except (OSError, ValueError):
                total += 1
    return total


def _parse(source: str, text: str) -> Item:
    try:  # the handler's own parser: strict, and a depth limit where json.loads recurses until it dies
        return Item(source, load_json(text.encode("utf-8")))
    except NotJSON as exc:
        return _failed(source, REJECTED, exc.message, exc.status, exc.result)


def replay_one(app: App, item: Item) -> Result:
    if item.failed is not None:
        return item.failed
    handled = app.handle(item.event, {"request_id": f"replay:{item.source}"})
    reply, receipt = handled.reply, handled.receipt
    callid, kind = (receipt.callid, receipt.kind) if receipt else peek(item.event)
    return Result(item.source, reply.status, reply.result, reply.outcome, callid, kind, reply.errmsg)


def peek(event: Any) -> tuple[str | None, str | None]:
    """Best-effort callid and kind of a rejected bare body, so the report line says which it was."""
    if isinstance(event, dict) and len(event) == 1:
        key, raw = next(iter(event.items()))
        if key in MODELS and isinstance(raw, dict):
            callid = raw.get("callid")
            return (str(callid) if callid is not None else None), MODELS[key].KIND
    return None, None


def load_expected(path: str | Path) -> dict[str, dict[str, Any]]:
    """The [files] table of an expectations file: source (relative to the file) -> status, outcome."""
    import tomllib

    path = Path(path)
    try:
        with path.open("rb") as f:
            table = tomllib.load(f).get("files", {})
    except FileNotFoundError:
        raise UsageError(f"--expect {path}: no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, not TOML, a NUL in the name
        raise UsageError(f"--expect {path}: cannot be read as TOML ({exc})") from None
    if not isinstance(table, dict):
        raise UsageError(f"--expect {path}: [files] must be a table of file = {{ status = ... }}")
    base = path.parent.resolve()
    return {str((base / name).resolve()): want for name, want in table.items()}


def expected_for(expected: dict[str, dict[str, Any]], source: str) -> dict[str, Any] | None:
    file, _, line = source.rpartition(":") if source.endswith(tuple("0123456789")) else (source, "", "")
    key = str(Path(file or source).resolve()) + (f":{line}" if line else "")
    return expected.get(key)


def run_all(send: Callable[[Item], Result], paths: Iterable[str | Path]) -> Iterator[Result]:
    """The one replay loop, whatever the sender (the handler here, an endpoint: endpoint.py):
    items as they are read, so a million-line file starts at once; a bar on a terminal."""
    paths = list(paths)
    progress = Progress()
    if progress.terminal:  # counted only when a bar will be drawn
        progress.start(count(paths))
    try:
        for done, item in enumerate(items(paths), 1):
            yield send(item)
            progress.step(done)
    finally:
        progress.close()


def replay(app: App, paths: Iterable[str | Path]) -> Iterator[Result]:
    return run_all(lambda item: replay_one(app, item), paths)
