"""`db init --store URL`: create or migrate a MySQL or PostgreSQL store's table and indexes.

Idempotent: a second run changes nothing and says so. Run it with a user that may create tables;
the function's own user needs only INSERT (docs/stores.md has the GRANT statements).
"""

from __future__ import annotations

import argparse

from voice_receipts.tools.cli.common import settings


def add(sub, common) -> None:
    d = sub.add_parser(
        "db",
        help="create or migrate a mysql:// or postgresql:// store's schema (db init)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = d.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init", parents=[common], help="create the receipts table and its indexes if missing"
    )
    init.set_defaults(run=run_init)


def run_init(args: argparse.Namespace) -> int:
    from voice_receipts.tools import db

    loaded = settings(args)
    done = db.init(loaded)
    for line in done:
        print(line)
    print(f"{loaded.store}: " + ("schema up to date" if done else "schema up to date; nothing changed"))
    return 0
