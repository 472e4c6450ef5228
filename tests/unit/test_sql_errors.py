"""Each driver error becomes one outcome and one meaning (the backend's TABLE), without a server:
the errors are built as the drivers raise them. The real servers' faults are
tests/functional/test_store_sql_faults.py; this is the table itself, case by case."""

from __future__ import annotations

import psycopg
import pymysql
import pytest

from voice_receipts.stores import open_store

PG = open_store("postgresql://writer:pw@127.0.0.1:1/receipts")  # opens no connection until used


@pytest.mark.parametrize(
    ("exc", "translated"),
    [
        (
            psycopg.errors.lookup("25006")("ro"),
            ("unavailable", "is read-only (failover? default_transaction_read_only?) (25006: ro)"),
        ),
        (
            psycopg.errors.lookup("42P01")("t"),
            ("refused", "has no receipts table: run `python -m voice_receipts db init` (42P01: t)"),
        ),
        # a state the table has whose class it has too: the state's own meaning
        (psycopg.errors.lookup("53300")("full"), ("reconnect", "has too many connections (53300: full)")),
        # the driver's text, cut at 300 characters
        (ValueError("x" * 400), ("unavailable", "ValueError (no code: " + "x" * 300 + ")")),
        # a state the table lacks, whose class it has: the class's meaning
        (psycopg.errors.lookup("08006")("gone"), ("reconnect", "lost the connection (08: gone)")),
        # neither: the driver's class name, and the state kept
        (psycopg.errors.lookup("22001")("long"), ("unavailable", "StringDataRightTruncation (22001: long)")),
        # a failed connect: no state, the server's words
        (
            psycopg.OperationalError("FATAL:  sorry, too many clients already"),
            ("reconnect", "has too many connections (53300: FATAL: sorry, too many clients already)"),
        ),
        (
            psycopg.OperationalError("no route to host"),
            ("reconnect", "cannot be reached (connection: no route to host)"),
        ),
        (psycopg.errors.ConnectionTimeout("slow"), ("reconnect", "cannot be reached (connection: slow)")),
        # psycopg's own wait for an answer ran out: the statement may have run
        (psycopg.errors._WaitTimeout("late"), ("unavailable", "did not answer in time (timeout: late)")),
        (ValueError("odd pw"), ("unavailable", "ValueError (no code: odd ***)")),
    ],
)
def test_a_postgresql_error_is_one_outcome_and_meaning(exc, translated):
    assert PG._translate(exc) == translated


MY = open_store("mysql://writer:pw@127.0.0.1:1/receipts")


@pytest.mark.parametrize(
    ("exc", "translated"),
    [
        (
            pymysql.err.OperationalError(1290, "ro"),
            ("unavailable", "is read-only (failover?) (1290: (1290, 'ro'))"),
        ),
        (
            pymysql.err.OperationalError(2003, "Can't connect"),
            ("reconnect", 'cannot be reached (2003: (2003, "Can\'t connect"))'),
        ),
        # a refused certificate is reported as "can't connect": waiting would not change it
        (
            pymysql.err.OperationalError(2003, "Can't connect ([SSL: CERTIFICATE_VERIFY_FAILED])"),
            (
                "refused",
                'offers no TLS, or not with that certificate (sslmode in the URL) (2026: (2003, "Can\'t connect ([SSL: CERTIFICATE_VERIFY_FAILED])"))',
            ),
        ),
        (pymysql.err.InterfaceError(0, ""), ("reconnect", "connection was closed (closed: (0, ''))")),
        (
            pymysql.err.OperationalError(9999, "new"),
            ("unavailable", "OperationalError (9999: (9999, 'new'))"),
        ),
        (pymysql.err.OperationalError("no number"), ("unavailable", "OperationalError (no code: no number)")),
        (ValueError("odd pw"), ("unavailable", "ValueError (no code: odd ***)")),
    ],
)
def test_a_mysql_error_is_one_outcome_and_meaning(exc, translated):
    assert MY._translate(exc) == translated
