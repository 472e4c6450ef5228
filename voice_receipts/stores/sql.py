"""What the MySQL and PostgreSQL stores share: the schema, every statement, and the rules.

One table, `receipts`, one row per distinct receipt, keyed (callid, event_id):

    callid, event_id, kind, received_at, call_at   the keys and times (ISO UTC text)
    phone                                          "+<nationcode><mobile>" (Receipt.phone), UTF-8 bytes
    context                                        a `sent` record's business id (bytes); NULL otherwise
    record                                         Receipt.to_json(): the receipt, whole
    started_at ... message                         the fold inputs (facts.EXTRA_COLUMNS): a report's
                                                   GROUP BYs read these (stores/period.py)

- Insert-if-absent in one statement: a duplicate key is a duplicate and nothing else is (MySQL: a
  plain INSERT and error 1062, never INSERT IGNORE, which turns truncation into a warning and
  stores something else than what was acknowledged; PostgreSQL: ON CONFLICT DO NOTHING without a
  conflict target, which an INSERT-only role may run). Both work with INSERT privilege alone.
- Exact keys: `abc`, `ABC` and `abc ` are three callids. MySQL compares VARBINARY byte for byte
  (its and MariaDB's text collations ignore case or trailing spaces); PostgreSQL's text with
  COLLATE "C" compares bytes.
- Every accepted receipt fits: the record is JSON with every non-ASCII character escaped, so it
  never holds a raw U+0000 (PostgreSQL's text refuses it); `phone` may (a mobile is lenient text)
  and is stored as UTF-8 bytes; MEDIUMTEXT holds any record a body within limits.py makes.
- Every failure is the package's own (TABLE in mysql.py / postgresql.py): StoreUnavailable (503,
  retry) on a receipt; at warm-up, one that every receipt would meet (bad password, no table, no
  privilege) is a ConfigError and stops the start.

The schema is created by `python -m voice_receipts db init` (tools/db.py), never by the function.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from voice_receipts.receipt import Receipt

from voice_receipts.stores.facts import EXTRA_COLUMNS, fold_columns
from voice_receipts.stores.facts import decoded as decoded  # sql.decoded, for the SQL stores: one function
from voice_receipts.stores.facts import encoded as encoded  # and its inverse, sql.encoded

TABLE = "receipts"
COLUMNS = (
    "callid",
    "event_id",
    "kind",
    "received_at",
    "call_at",
    "phone",
    "context",
    "record",
    *EXTRA_COLUMNS,
)
# (name, columns) of each secondary index: `show` by time, by number, by business id; reports by arrival
INDEXES = (
    ("receipts_by_call_at", "call_at"),
    ("receipts_by_phone", "phone, call_at"),
    ("receipts_by_context", "context, call_at"),  # only `sent` records carry a context
    ("receipts_by_received_at", "received_at"),
)

# -- the schema, per server (tools/db.py creates and migrates it) ---------------------------------


class Schema(NamedTuple):
    """What `db init` creates on one server: the table, then any column or index it lacks."""

    columns: dict[str, str]  # name -> type, in table order
    table_options: str
    key_index: str  # how the server names the primary key's index (EXPLAIN shows it)
    list_columns: str  # the receipts table's column names (none: no table)
    list_indexes: str

    def create_table(self) -> str:
        columns = ",\n    ".join(f"{name} {kind}" for name, kind in self.columns.items())
        return (
            f"CREATE TABLE IF NOT EXISTS {TABLE} (\n    {columns},\n"
            f"    PRIMARY KEY (callid, event_id)\n){self.table_options}"
        )

    def add_column(self, name: str) -> str:
        return f"ALTER TABLE {TABLE} ADD COLUMN {name} {self.columns[name]}"

    @staticmethod
    def create_index(name: str, columns: str) -> str:
        return f"CREATE INDEX {name} ON {TABLE} ({columns})"


TEXT_INPUTS = ("result", "keypress", "failure_reason", "message")


def _fold_inputs(time: str, number: str, text: str) -> tuple[str, ...]:
    """The types of facts.EXTRA_COLUMNS (the fold inputs a report aggregates), all NULL-able:
    a start time (ASCII), numbers (fields.py keeps them within int64), and the text VMS sent
    (result, keypress, failure_reason; `sent`'s message) as UTF-8 bytes: it may hold U+0000."""
    return tuple(
        time if name == "started_at" else text if name in TEXT_INPUTS else number for name in EXTRA_COLUMNS
    )


# MySQL/MariaDB: keys VARBINARY (byte for byte: their text collations ignore case, and MariaDB's
# PAD SPACE ones trailing spaces, even utf8mb4_bin); utf8mb4 named on the table (a server started
# with --no-defaults is latin1) and on the record; times ASCII.
_MYSQL_ASCII = "VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL"
MYSQL = Schema(
    columns={
        "callid": "VARBINARY(1024) NOT NULL",  # 256 characters of UTF-8
        "event_id": "VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL",
        "kind": _MYSQL_ASCII,
        "received_at": _MYSQL_ASCII,
        "call_at": _MYSQL_ASCII,
        "phone": "VARBINARY(256) NULL",
        "context": "VARBINARY(512) NULL",
        "record": "MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",  # 16 MiB
        **dict(
            zip(
                EXTRA_COLUMNS,
                _fold_inputs("VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin", "BIGINT", "BLOB"),
                strict=True,
            )
        ),
    },
    table_options=" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    key_index="PRIMARY",
    list_columns="SELECT column_name FROM information_schema.columns"
    f" WHERE table_schema = DATABASE() AND table_name = '{TABLE}'",
    list_indexes="SELECT DISTINCT index_name FROM information_schema.statistics"
    f" WHERE table_schema = DATABASE() AND table_name = '{TABLE}'",
)
# PostgreSQL: text COLLATE "C" compares bytes; phone and context bytea, which takes U+0000
_PG_TEXT = 'text COLLATE "C" NOT NULL'
POSTGRESQL = Schema(
    columns={
        "callid": _PG_TEXT,
        "event_id": _PG_TEXT,
        "kind": _PG_TEXT,
        "received_at": _PG_TEXT,
        "call_at": _PG_TEXT,
        "phone": "bytea",
        "context": "bytea",
        "record": "text NOT NULL",
        **dict(zip(EXTRA_COLUMNS, _fold_inputs('text COLLATE "C"', "bigint", "bytea"), strict=True)),
    },
    table_options="",
    key_index=f"{TABLE}_pkey",
    list_columns="SELECT column_name FROM information_schema.columns"
    f" WHERE table_schema = current_schema() AND table_name = '{TABLE}'",
    list_indexes="SELECT indexname FROM pg_indexes"
    f" WHERE schemaname = current_schema() AND tablename = '{TABLE}'",
)

# -- writing -----------------------------------------------------------------------------------

_VALUES = ", ".join(["%s"] * len(COLUMNS))
INSERT = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({_VALUES})"
ON_CONFLICT = " ON CONFLICT DO NOTHING"  # PostgreSQL: no target, or an INSERT-only role is refused


# not mutated (make mutate, docs/testing.md): run at import, for the stores' class attributes,
# before mutmut switches a mutant on; test_store_sql_setup.py's warm-up tests check its statement
def rehearsal(types: tuple[str, ...] | None = None) -> str:  # pragma: no mutate block
    """warm()'s statement: the very INSERT, selecting no row. It needs what a receipt needs (the
    table, its columns, INSERT privilege; SELECT on nothing) and stores nothing. `types` casts
    each value (PostgreSQL types a bare parameter in a SELECT list as text)."""
    values = ", ".join(f"CAST(%s AS {t})" for t in types) if types else _VALUES
    return (
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) SELECT {values} FROM (SELECT 1 AS x) AS one WHERE 1 = 0"
    )


def row(receipt: Receipt) -> tuple[Any, ...]:
    """The INSERT's parameters for one receipt."""
    phone = encoded(receipt.phone) if receipt.phone else None
    context = encoded(receipt.context) if receipt.context else None
    inputs = tuple(
        encoded(v) if name in TEXT_INPUTS and v is not None else v
        # no mutants: `strict` on two sequences of one length by construction (facts.EXTRA_COLUMNS)
        for name, v in zip(EXTRA_COLUMNS, fold_columns(receipt), strict=True)  # pragma: no mutate
    )
    return (receipt.callid, receipt.event_id, receipt.kind, receipt.received_at, receipt.call_at,
            phone, context, receipt.to_json(), *inputs)  # fmt: skip


# -- reading: each an index range read (tests/functional/test_store_sql_plans.py EXPLAINs them) --
# Newest first by arrival, as SQLite and DynamoDB answer today (their by-phone and by-context
# orders); the indexes carry call_at for the listings by a call's time (issue 19).


class Query(NamedTuple):
    sql: str
    index_name: str  # the index its plan is expected to read


RECEIPTS = Query(
    f"SELECT record FROM {TABLE} WHERE callid = %s ORDER BY received_at, event_id",
    "primary key",
)
# Calls first seen at or after %s: receipts since then, less calls with an earlier receipt
CALLIDS_SINCE = Query(
    f"SELECT r.callid FROM {TABLE} r WHERE r.received_at >= %s GROUP BY r.callid"
    f" HAVING NOT EXISTS (SELECT 1 FROM {TABLE} e WHERE e.callid = r.callid AND e.received_at < %s)"
    " ORDER BY MIN(r.received_at) DESC",
    "receipts_by_received_at",
)
CALLIDS_ALL = Query(  # every call: the whole primary key, in key order, then sorted
    f"SELECT callid FROM {TABLE} GROUP BY callid ORDER BY MIN(received_at) DESC",
    "primary key",
)
CALLIDS_FOR_PHONE = Query(
    f"SELECT callid FROM {TABLE} WHERE phone = %s GROUP BY callid ORDER BY MAX(received_at) DESC LIMIT %s",
    "receipts_by_phone",
)
CALLIDS_FOR_CONTEXT = Query(
    f"SELECT callid FROM {TABLE} WHERE context = %s ORDER BY received_at DESC LIMIT %s",
    "receipts_by_context",
)
RECEIPTS_BETWEEN = Query(
    f"SELECT record FROM {TABLE} WHERE received_at >= %s AND received_at < %s"
    " ORDER BY received_at, callid, event_id",
    "receipts_by_received_at",
)
RECEIPTS_SINCE = Query(
    f"SELECT record FROM {TABLE} WHERE received_at >= %s ORDER BY received_at, callid, event_id",
    "receipts_by_received_at",
)


# not mutated (make mutate, docs/testing.md): sample values and names for the plan test's EXPLAIN,
# which no receipt or read depends on
def reads(
    since: str, until: str | None, phone: str, context: str
) -> dict[str, tuple[Query, tuple[Any, ...]]]:  # pragma: no mutate block
    """Every read with sample parameters, by the Store method that runs it: what the plan test
    EXPLAINs, so a read added here is checked there."""
    key = phone.encode()
    return {
        "receipts": (RECEIPTS, ("callid",)),
        "callids": (CALLIDS_SINCE, (since, since)),
        "callids_for_phone": (CALLIDS_FOR_PHONE, (key, 50)),
        "callids_for_context": (CALLIDS_FOR_CONTEXT, (context.encode(), 50)),
        "receipts_between": (RECEIPTS_BETWEEN, (since, until or "9999")),
        "receipts_since": (RECEIPTS_SINCE, (since,)),
    }


def between(since: str, until: str | None) -> tuple[Query, tuple[Any, ...]]:
    return (RECEIPTS_SINCE, (since,)) if until is None else (RECEIPTS_BETWEEN, (since, until))


def records(rows: list[tuple[Any, ...]]) -> Iterator[Receipt]:
    import json

    from voice_receipts.receipt import Receipt

    for (record,) in rows:
        yield Receipt.from_dict(json.loads(record))
