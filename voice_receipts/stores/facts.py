"""A call's facts from its receipts' fold inputs: what a listing filters on and what a report
counts, without reading a receipt's JSON.

Every store that can read keeps a receipt's fold inputs beside its record (SQLite and the SQL
stores as columns, DynamoDB as attributes its by-day index projects): FOLD_INPUTS below, made by
`inputs(receipt)`. `fold(rows)` applies exactly calls.Call.fold's rules to them: the `sent` record
first then arrival order, the last status receipt wins, any failure receipt makes the call failed
(states.call_state), a call's time is its status receipt's start else its first arrival (Call.at),
the one duration rule (durations.py, applied when the receipt is written). A test folds every
sample both ways and compares (tests/functional/test_reads_at_scale.py), so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from voice_receipts import kinds, states
from voice_receipts.durations import durations  # the one duration rule
from voice_receipts.states import CallState

# A row of fold inputs as a store reads it; a walk's position: (call_at, callid)
Row = tuple[Any, ...]
Cursor = tuple[str, str]

if TYPE_CHECKING:
    from voice_receipts.calls import Call
    from voice_receipts.receipt import Receipt

# The order a store returns a receipt's fold inputs in (and the SQL stores' column names)
FOLD_INPUTS = (
    "callid",
    "kind",
    "received_at",
    "call_at",
    "started_at",
    "result",
    "ring_seconds",
    "talk_seconds",
    "fee_minutes",
    "keypress",
    "failure_code",
    "failure_reason",
    "message",
    "phone",
)
# What a store adds to a receipt's row beyond its keys, record, received_at, call_at and phone
EXTRA_COLUMNS = tuple(
    c for c in FOLD_INPUTS if c not in ("callid", "kind", "received_at", "call_at", "phone")
)


class Facts(NamedTuple):
    """What `show`'s filters and the report read of one call (a Call has them all too)."""

    callid: str
    at: str  # Call.at
    state: CallState
    kind: str | None  # kinds.CODE / kinds.NOTIFICATION
    phone: str | None
    result: str | None
    fee_minutes: int | None
    ring_seconds: int | None
    talk_seconds: int | None
    keys: tuple[str, ...]
    failure_code: int | None
    failure_reason: str | None

    @classmethod
    def of_call(cls, call: Call) -> Facts:
        return cls(
            call.callid, call.at, call.state, call.kind, call.phone, call.result, call.fee_minutes,
            call.ring_seconds, call.talk_seconds, call.keys, call.failure_code, call.failure_reason,
        )  # fmt: skip


def status_durations(receipt: Receipt) -> tuple[int | None, int | None]:
    """Ringing and talking seconds of a status receipt (the one duration rule); none for others."""
    return durations(receipt) if receipt.kind in kinds.STATUS_KINDS else (None, None)


def fold_columns(receipt: Receipt) -> Row:
    """A receipt's EXTRA_COLUMNS values, for the row a store writes."""
    ring, talk = status_durations(receipt)
    return (
        receipt.started_at, receipt.result, ring, talk, receipt.fee_minutes, receipt.keypress,
        receipt.failure_code, receipt.failure_reason, receipt.message,
    )  # fmt: skip


def inputs(receipt: Receipt) -> Row:
    """A receipt's FOLD_INPUTS."""
    head = (receipt.callid, receipt.kind, receipt.received_at, receipt.call_at)
    return head + fold_columns(receipt) + (receipt.phone,)


def fold(rows: Sequence[Sequence[Any]]) -> Facts:
    """The facts of one call from its receipts' FOLD_INPUTS rows (at least one)."""
    ordered = sorted(rows, key=lambda r: (r[1] != kinds.SENT, r[2]))
    status = failure = None
    kind = phone = None
    keys: list[str] = []
    heard = False
    for row in ordered:
        k = row[1]
        kind = kind or kinds.CALL_KIND.get(k)
        phone = phone or row[13]
        if k in kinds.STATUS_KINDS:
            status = row
        elif k == kinds.VOICEKEY:
            keys.append(row[9] or "")
        elif k == kinds.VOICE_FAILURE:
            failure = row
        elif k == kinds.SENT:
            kind = kind or kinds.SENT_MESSAGES.get(row[12])  # None: no message, no kind
        heard = heard or k != kinds.SENT
    result = status[5] if status else None
    return Facts(
        callid=ordered[0][0],
        at=(status[4] if status else None) or ordered[0][2],
        state=states.call_state(result, failure is not None, heard),
        kind=kind,
        phone=phone,
        result=result,
        fee_minutes=status[8] if status else None,
        ring_seconds=status[6] if status else None,
        talk_seconds=status[7] if status else None,
        keys=tuple(keys),
        failure_code=failure[10] if failure else None,
        failure_reason=failure[11] if failure else None,
    )


def grouped(rows: Iterable[Sequence[Any]]) -> Iterable[Facts]:
    """Facts of each call in rows sorted (or at least grouped) by callid: one pass, one call held."""
    group: list[Sequence[Any]] = []
    for row in rows:
        if group and row[0] != group[0][0]:
            yield fold(group)
            group = []
        group.append(row)
    if group:
        yield fold(group)


class Aggregates:
    """What a report counts of a period's calls, with memory bounded by minutes x states plus
    the distinct durations, codes and keys: a SQL store fills it with GROUP BYs
    (stores/period.py), any other from the calls' facts (add())."""

    def __init__(self, width: int = 16) -> None:
        from collections import Counter

        self.width = width  # 16: calls counted by UTC minute ("2026-11-28T12:00"); 13: by hour
        self.calls: Counter[tuple[str, str]] = Counter()  # (moment, state) -> calls
        self.fees: Counter[str] = Counter()  # moment -> billed minutes
        self.ring: Counter[int] = Counter()  # seconds -> calls (known ringing only)
        self.talk: Counter[int] = Counter()  # seconds -> answered calls (known talking only)
        self.failures: Counter[int | None] = Counter()  # code -> failed calls
        self.reasons: dict[int | None, str | None] = {}  # code -> the least reason VMS sent with it
        self.keys_per_call: Counter[int] = Counter()  # keys (3 = 3 or more) -> notification calls
        self.keys: Counter[str] = Counter()  # key -> presses, notification calls

    def add(self, f: Facts) -> None:
        minute = f.at[: self.width]
        self.calls[(minute, f.state.value)] += 1
        self.fees[minute] += f.fee_minutes or 0
        if f.ring_seconds is not None:
            self.ring[f.ring_seconds] += 1
        if f.state == CallState.ANSWERED and f.talk_seconds is not None:
            self.talk[f.talk_seconds] += 1
        if f.state == CallState.FAILED:
            self.failures[f.failure_code] += 1
            self._reason(f.failure_code, f.failure_reason)
        if f.kind == kinds.NOTIFICATION:
            self.keys_per_call[min(len(f.keys), 3)] += 1
            self.keys.update(f.keys)

    def _reason(self, code: int | None, reason: str | None) -> None:
        """The least reason VMS sent with a code: the same whichever order a store counts in."""
        known = self.reasons.get(code)
        self.reasons[code] = reason if known is None else known if reason is None else min(known, reason)

    @classmethod
    def of_rows(cls, rows: dict[str, list[Row]], width: int) -> Aggregates:
        """From the rows of period.AGGREGATES' queries, by name (less the odd calls); the same
        name's rows may come from several reads (added up). A SQL store's text kept as bytes
        is decoded, its sums (MySQL: Decimal) made ints."""
        found = cls(width)
        for moment, state, n, fee in rows["calls"]:
            found.calls[(decoded(moment), decoded(state))] += int(n)  # pragma: no mutate
            found.fees[decoded(moment)] += int(fee)
        for ring, talk, failed, code, keys, n, reason in rows["shape"]:
            if ring is not None:
                found.ring[int(ring)] += int(n)
            if talk is not None:
                found.talk[int(talk)] += int(n)
            if failed:
                found.failures[code] += int(n)
                found._reason(code, decoded(reason))
            if keys is not None:
                found.keys_per_call[int(keys)] += int(n)
        for key, n in rows["keys"]:
            found.keys[decoded(key) or ""] += int(n)  # pragma: no mutate; no key is "" (fold())
        return found


def encoded(text: str) -> bytes:
    """Text as a SQL store keeps it (a VARBINARY or bytea column): UTF-8, a lone surrogate kept,
    so a looked-up value holding one matches nothing rather than failing."""
    return text.encode(errors="surrogatepass")


def decoded(value: Any) -> Any:
    """Text a driver gave back as bytes (a VARBINARY or bytea column) as str; str as it is."""
    if isinstance(value, bytes | bytearray):
        return value.decode(errors="surrogatepass")  # pragma: no mutate
    return value


def newest_first(found: Iterable[Facts]) -> list[Facts]:
    return sorted(found, key=lambda f: (f.at, f.callid), reverse=True)


def matches(f: Facts, since: str | None, until: str | None, state: str | None) -> bool:
    """Placed in [since, until), in `state` when given."""
    return (since is None or f.at >= since) and (until is None or f.at < until) and state in (None, f.state)
