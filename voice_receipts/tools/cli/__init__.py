"""python -m voice_receipts COMMAND: one module per command, each with `add(sub, common)`.

A command module registers its parser and a `run(args) -> exit status`; errors of the package
end here as one line on stderr, never a traceback: exit 2, or a send error's own status (3-7,
docs/sending.md).
"""

from __future__ import annotations

import argparse
import os
import sys

from voice_receipts import config
from voice_receipts.errors import VoiceReceiptsError
from voice_receipts.tools.cli import explain, replay, report, send, serve, show

COMMANDS = (replay, show, serve, send, explain, report)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m voice_receipts", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
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
        return args.run(args)
    except VoiceReceiptsError as exc:  # config and store errors: one clear line, no traceback
        print(f"voice-receipts: {exc.message}", file=sys.stderr)
        return getattr(exc, "exit_status", 2)  # a tool error's own status (tools/errors.py); else 2
    except BrokenPipeError:  # `show --json | head`: the reader has gone, nothing is wrong
        # stdout is broken: point it at devnull so the interpreter's final flush stays quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run() -> None:
    """The `voice-receipts` console script (pyproject.toml): main() as the process's exit status."""
    sys.exit(main())
