"""How large a body each store can always take: derived from the store's record limit.

A body above its store's bound could make a record the store refuses on every retry, so config.py
caps VOICE_RECEIPTS_MAX_BODY_BYTES by it (docs/limits.md). Pure numbers: no settings are read here.
"""

from __future__ import annotations

# The largest record each store takes on its default settings (docs/limits.md): a DynamoDB item
# of 400 KB (counted as 400,000 bytes), an SQS message of 262,144 bytes (MaximumMessageSize's
# default; body and attributes), a CMQ message of 65,536 bytes (CreateCmqQueue's MaxMsgSize
# default). SQLite has none worth naming (a row may hold 10^9 bytes), nor PostgreSQL (`text`
# holds 1 GB). MySQL's record column is MEDIUMTEXT (16 MiB), but the whole INSERT travels in one
# packet: 4 MiB is the smallest default max_allowed_packet among the servers people run (MySQL
# 5.7, the 5.7-compatible TDSQL-C; MariaDB 10.11 has 16 MiB, MySQL 8 64 MiB), less 64 KiB for
# the statement and the other columns.
MYSQL_RECORD_BYTES = 4 * 1024 * 1024 - 64 * 1024
STORE_RECORD_BYTES = {
    "sqlite": None,
    "dynamodb": 400_000,
    "sqs": 262_144,
    "cmq": 65_536,
    "mysql": MYSQL_RECORD_BYTES,
    "postgresql": None,
}
# At worst a record holds 19 bytes of `raw` for every 5 bytes of body: the number `9e15,` is
# written back as `9000000000000000.0,`. Text grows less: 3x at most (`é`, 2 bytes -> `\u00e9`).
EXPANSION = (19, 5)
# Everything in a record beside `raw`, with every documented field at its cap (callbacks.LIMITS)
# in 4-byte characters, written as 12-byte escapes, plus SQS's attributes: 11,655 bytes at most
# (tests/unit/test_limits.py measures it).
RECORD_OVERHEAD_BYTES = 12 * 1024
SQLITE_MAX_BODY_BYTES = 1024 * 1024  # a sanity bound: its record stays under 4 MiB (PostgreSQL too)


def body_bound(record_bytes: int | None) -> int:
    """The largest body whose worst-case record fits `record_bytes`, in whole KiB."""
    if record_bytes is None:
        return SQLITE_MAX_BODY_BYTES
    grows, per = EXPANSION
    return (record_bytes - RECORD_OVERHEAD_BYTES) * per // grows // 1024 * 1024


# Above these a receipt could be refused by its store on every retry: sqlite 1 MiB, dynamodb
# 99 KiB, sqs 64 KiB, cmq 13 KiB, mysql 1,057 KiB, postgresql 1 MiB. A VMS callback is a few
# hundred bytes.
STORE_MAX_BODY_BYTES = {scheme: body_bound(limit) for scheme, limit in STORE_RECORD_BYTES.items()}
