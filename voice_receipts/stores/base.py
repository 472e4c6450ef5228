"""The store interface every backend implements, and what they all share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import voice_receipts.stores.facts as facts
from voice_receipts import lookups, times
from voice_receipts.errors import UnsupportedOperation
from voice_receipts.receipt import Receipt

if TYPE_CHECKING:  # calls.py is imported only when a call is read, never on the receive path
    from voice_receipts.calls import Call
    from voice_receipts.progress import Progress
    from voice_receipts.stores.facts import Aggregates, Facts


# With a filter, how many of one number's (or one business id's) newest calls are read before
# filtering: a filter applies before the limit, and one number rarely has more calls than this.
FILTERED_READ = 1000
# How many receipts one step of a listing's index walk reads
PAGE = 200
FAILURE_LATE = 3600  # seconds after its call a failure receipt may arrive, for `--until`


class Store(ABC):
    """Where receipts go. A backend implements `put` and, if it can read back, `receipts`,
    `walk` (an index on call_at), `callids_for_context`, `receipts_between` and `period_facts`,
    and where it can answer a page in one read, `facts_of` and `calls_of` (the calls API below
    is built on them).

    Guarantees every backend keeps:
    - `put` is one round trip, "insert if absent" keyed by (callid, event_id);
    - it returns True when the receipt is now stored, False when it already was (a redelivery);
    - it returns only once the receipt is durable, and otherwise raises StoreUnavailable
      (translated from the vendor's error at the backend's own boundary).
    """

    #: short name for logs and errors ("sqlite", "dynamodb", ...)
    name = "store"

    @abstractmethod
    def put(self, receipt: Receipt) -> bool: ...

    # -- reading: what a backend that can read implements --------------------------------------

    def receipts(self, callid: str) -> list[Receipt]:
        """Every receipt of one call, oldest first."""
        raise self._cannot_read()

    def callids(self, since: str | None = None) -> Iterable[str]:
        """Calls placed at or after `since` (ISO UTC, Call.at; every call when None), newest first."""
        return [call.callid for call in self.calls(since, limit=None)]

    def callids_for_phone(self, phone: str, limit: int) -> list[str]:
        """Up to `limit` calls to one number ("+8613800138000"), most recent first (Call.at)."""
        return [c.callid for c in self._listing(None, None, None, limit, phone=phone)]

    def callids_for_context(self, context: str, limit: int) -> list[str]:
        """Up to `limit` calls sent for one business id (their `sent` records' context), newest first."""
        raise self._cannot_read()

    def receipts_between(
        self, since: str, until: str | None = None, progress: Progress | None = None
    ) -> Iterator[Receipt]:
        """Every receipt received in [since, until) (ISO UTC; no end when None), oldest first: what
        a report reads. `progress` hears how far a long read has come and what it cost."""
        raise self._cannot_read()

    # -- what a store with a call_at index implements (SQLite, the SQL stores, DynamoDB) --------

    def walk(
        self,
        cursor: tuple[str, str] | None,
        *,
        since: str | None = None,
        until: str | None = None,
        phone: str | None = None,
        failed: bool = False,
        page: int = PAGE,
    ) -> list[tuple[str, str]]:
        """Up to `page` (call_at, callid) of receipts, newest first, strictly before `cursor`,
        with call_at in [since, until), of one number, or failure receipts only: an index walk."""
        raise self._cannot_read()

    def facts_of(self, callids: list[str]) -> list[Facts]:
        """The facts of these calls (facts.py), in one read where the store can."""
        from voice_receipts.stores.facts import Facts

        return [Facts.of_call(call) for call in self.calls_of(callids)]

    def calls_of(self, callids: list[str]) -> list[Call]:
        """These calls folded whole, in the order given; one read where the store can."""
        return list(self._fold(callids))

    def period_facts(self, since: str, until: str | None = None) -> Iterator[Facts]:
        """The facts of every call placed in [since, until) (Call.at), streamed: what a report
        counts, with memory bounded by one call, not by the period. Here, for a store without a
        call_at index yet: the receipts that arrived in the period, held and folded."""
        from voice_receipts.stores.facts import fold, inputs

        by_call: dict[str, list[tuple[Any, ...]]] = {}
        for receipt in self.receipts_between(since, until):
            by_call.setdefault(receipt.callid, []).append(inputs(receipt))
        return (f for rows in by_call.values() if facts.matches(f := fold(rows), since, until, None))

    def period_aggregates(self, since: str, until: str | None = None, hourly: bool = False) -> Aggregates:
        """What a report counts of the calls placed in [since, until), by UTC minute (by hour when
        `hourly`: a reader's zone of whole hours): here from period_facts in one pass; a SQL
        store aggregates in the database."""
        from voice_receipts.stores.facts import Aggregates

        found = Aggregates(13 if hourly else 16)
        for f in self.period_facts(since, until):
            found.add(f)
        return found

    def _add_odd(self, found: Aggregates, callids: list[str], since: str, until: str | None) -> Aggregates:
        """The calls a database's fold left to Python (stores/period.py's odd ones), each folded
        exactly, a page at a time, and counted when placed in [since, until)."""
        for start in range(0, len(callids), PAGE):
            for f in self.facts_of(callids[start : start + PAGE]):
                if facts.matches(f, since, until, None):
                    found.add(f)
        return found

    # -- the calls API: the same on every store that can read ----------------------------------

    def call(self, callid: str) -> Call | None:
        """The call `callid` folded from its receipts; None when the store has none."""
        from voice_receipts.calls import Call

        return Call.fold(self.receipts(lookups.callid(callid)))

    def calls_for_phone(
        self,
        phone: str,
        limit: int = 50,
        since: str | None = None,
        state: str | None = None,
        until: str | None = None,
    ) -> list[Call]:
        """Up to `limit` calls to `phone`, newest first; `since`, `until` and `state` as in calls(),
        applied before the limit. `phone` as people type it: "13800138000" (nation code 86 unless
        given), "+86 138 0013 8000", "0086-138..."; empty or not a number raises InvalidLookup."""
        return self._listing(since, until, state, limit, phone=lookups.phone(phone))

    def calls_for_context(
        self,
        context: str,
        limit: int = 50,
        since: str | None = None,
        state: str | None = None,
        until: str | None = None,
    ) -> list[Call]:
        """Up to `limit` calls sent for one business id (`send --context`), newest first."""
        read = FILTERED_READ if (since or state or until) else limit
        found = self.callids_for_context(lookups.context(context), read)
        wanted = [f for f in self.facts_of(list(found)) if facts.matches(f, since, until, state)]
        return self.calls_of([f.callid for f in facts.newest_first(wanted)[:limit]])

    def calls(
        self,
        since: str | None = None,
        state: str | None = None,
        limit: int | None = 50,
        until: str | None = None,
    ) -> list[Call]:
        """Calls placed in [since, until) (ISO UTC; Call.at), in `state` (states.STATES) if given,
        newest first, at most `limit` (None: all)."""
        return self._listing(since, until, state, limit)

    def _listing(
        self,
        since: str | None,
        until: str | None,
        state: str | None,
        limit: int | None,
        phone: str | None = None,
    ) -> list[Call]:
        """Walk the call_at index newest first, a page at a time; fold each page's new calls in one
        read (their facts only), and stop once `limit` calls are certain. A call's time is one of
        its receipts' call_at, so once the walk is below a moment every call placed after it is known."""
        from voice_receipts.states import CallState

        failed = state is not None and CallState(state) == CallState.FAILED
        # a failed call is walked by its failure receipt, which arrives after the call started
        # (at or after Call.at): before `until` it may arrive later, within FAILURE_LATE
        upto = times.later(until, FAILURE_LATE) if failed and until else until
        seen: set[str] = set()
        found: list[Facts] = []
        cursor = None
        # a first page about the answer's size (a failed call has one failure receipt; other
        # calls one to three receipts), then doubling
        page = min(PAGE, (1 if failed else 2) * limit + 10) if limit is not None else PAGE
        while True:
            rows = self.walk(cursor, since=since, until=upto, phone=phone, failed=failed, page=page)
            new = list(dict.fromkeys(c for _, c in rows if c not in seen))
            seen.update(new)
            found += [f for f in self.facts_of(new) if facts.matches(f, since, until, state)]
            if len(rows) < page:
                break
            cursor, page = rows[-1], min(8 * PAGE, 2 * page)
            certain = sum(1 for f in found if f.at > cursor[0])
            if limit is not None and certain >= limit:
                break
        return self._chosen(found, None, None, limit)  # each page's calls matched already

    def _chosen(
        self, found: Iterable[Facts], until: str | None, state: str | None, limit: int | None
    ) -> list[Call]:
        """The newest `limit` (None: all) of these facts that match, folded whole (no `since`:
        every caller's facts are at or after it already)."""
        wanted = facts.newest_first(f for f in found if facts.matches(f, None, until, state))
        return self.calls_of([f.callid for f in wanted[:limit]])

    def _fold(self, callids: Iterable[str]) -> Iterable[Call]:
        for callid in callids:
            call = self.call(callid)
            if call is not None:
                yield call

    def _cannot_read(self) -> UnsupportedOperation:
        return UnsupportedOperation(
            f"the {self.name} store is a queue: it cannot read receipts back; consume the queue"
            " (Receipt.from_message, voice_receipts.consume) or read a sqlite or dynamodb store"
        )

    def warm(self, receipt: Receipt) -> None:  # noqa: B027 - most backends have nothing to warm
        """Do at init whatever the first put would do once per process, without storing
        `receipt`: init runs with the full CPU on Lambda, the first request at 128 MB's share."""

    def disconnect(self) -> None:  # noqa: B027 - most backends hold no connection
        """Drop pooled connections, keeping the client: the next call opens new ones. SnapStart
        calls it after a restore (no socket shared between copies); a SQL store whose database
        must be able to pause calls it when idle."""

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
