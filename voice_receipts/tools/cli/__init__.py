"""python -m voice_receipts COMMAND: one module per command, each with `add(sub, common)`.

A command module registers its parser and a `run(args) -> exit status`; errors of the package
end here as one line on stderr, never a traceback: exit 2, or a send error's own status (3-7,
docs/sending.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from voice_receipts import config
from voice_receipts.display import printable
from voice_receipts.errors import VoiceReceiptsError
from voice_receipts.tools.cli import alarms, db, explain, replay, report, send, serve, show
from voice_receipts.tools.errors import UsageError

COMMANDS = (replay, show, serve, send, explain, report, db, alarms)


class _Parser(argparse.ArgumentParser):
    """argparse's own refusals as one line too (its default is the usage text, then the error)."""

    def error(self, message: str) -> NoReturn:
        say(f"{self.prog}: {message} (see --help)")
        raise SystemExit(2)


def say(text: str) -> None:
    """One line on stderr, whatever the text holds: a typed value may carry a newline, a control
    character or an undecodable argv byte (a lone surrogate), none of which may break the line."""
    print(printable(text), file=sys.stderr)  # printable escapes lone surrogates too


# Arguments that name files: a file name may be any bytes on Linux, so it may stay undecodable
PATH_ARGUMENTS = {"paths", "out", "expect"}


def _decodable(args: argparse.Namespace) -> None:
    """Every other argument is text a record or a request will carry: one that was not UTF-8
    (a lone surrogate, as Python decodes argv) is refused here, for every command at once."""
    for name, value in vars(args).items():
        if name in PATH_ARGUMENTS:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _surrogate(item):
                flag = (
                    name.replace("_", "-")
                    if name in ("callid", "code", "command")
                    else f"--{name.replace('_', '-')}"
                )
                raise UsageError(f"{flag}: not valid UTF-8 text (bytes in another encoding?)")


def _surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m voice_receipts", description=__doc__.splitlines()[0])
    common = _Parser(add_help=False)
    default = f"${config.STORE}, else {config.DEFAULT_LOCAL_STORE}"
    common.add_argument("--store", metavar="URL", help=f"store URL (default: {default})")
    common.add_argument("-v", "--verbose", action="store_true", help="print the per-request log lines")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        _decodable(args)
        return args.run(args)
    except VoiceReceiptsError as exc:  # config and store errors: one clear line, no traceback
        say(f"voice-receipts: {exc.message}")
        return getattr(exc, "exit_status", 2)  # a tool error's own status (tools/errors.py); else 2
    except BrokenPipeError:  # `show --json | head`: the reader has gone, nothing is wrong
        # stdout is broken: point it at devnull so the interpreter's final flush stays quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run() -> None:
    """The `voice-receipts` console script (pyproject.toml): main() as the process's exit status."""
    sys.exit(main())
