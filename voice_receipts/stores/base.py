"""The store interface every backend implements, and what they all share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from voice_receipts import lookups
from voice_receipts.errors import UnsupportedOperation
from voice_receipts.receipt import Receipt

if TYPE_CHECKING:  # calls.py is imported only when a call is read, never on the receive path
    from voice_receipts.calls import Call
    from voice_receipts.progress import Progress


# With a filter, how many of one number's (or one business id's) newest calls are read before
# filtering: a filter applies before the limit, and one number rarely has more calls than this.
FILTERED_READ = 1000


class Store(ABC):
    """Where receipts go. A backend implements `put` and, if it can read back, `receipts`,
    `callids`, `callids_for_phone`, `callids_for_context` (the calls API below is built on them)
    and `receipts_between`.

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
        """Calls first seen at or after `since` (ISO UTC; every call when None), newest first."""
        raise self._cannot_read()

    def callids_for_phone(self, phone: str, limit: int) -> list[str]:
        """Up to `limit` calls to one number, most recent first."""
        raise self._cannot_read()

    def callids_for_context(self, context: str, limit: int = 50) -> list[str]:
        """Up to `limit` calls sent for one business id (their `sent` records' context), newest first."""
        raise self._cannot_read()

    def receipts_between(
        self, since: str, until: str | None = None, progress: Progress | None = None
    ) -> Iterator[Receipt]:
        """Every receipt received in [since, until) (ISO UTC; no end when None), oldest first: what
        a report reads. `progress` hears how far a long read has come and what it cost."""
        raise self._cannot_read()

    # -- the calls API: the same on every store that can read ----------------------------------

    def call(self, callid: str) -> Call | None:
        """The call `callid` folded from its receipts; None when the store has none."""
        from voice_receipts.calls import Call

        return Call.fold(self.receipts(lookups.callid(callid)))

    def calls_for_phone(
        self, phone: str, limit: int = 50, since: str | None = None, state: str | None = None
    ) -> list[Call]:
        """Up to `limit` calls to `phone`, newest first; `since` and `state` as in calls(), applied
        before the limit. `phone` as people type it: "13800138000" (nation code 86 unless given),
        "+86 138 0013 8000", "0086-138..."; empty or not a number raises InvalidLookup."""
        read = FILTERED_READ if (since or state) else limit
        found = self.callids_for_phone(lookups.phone(phone), read)
        return _filtered(self._fold(found), since, state, limit)

    def calls_for_context(
        self, context: str, limit: int = 50, since: str | None = None, state: str | None = None
    ) -> list[Call]:
        """Up to `limit` calls sent for one business id (`send --context`), newest first."""
        read = FILTERED_READ if (since or state) else limit
        found = self.callids_for_context(lookups.context(context), read)
        return _filtered(self._fold(found), since, state, limit)

    def calls(self, since: str | None = None, state: str | None = None, limit: int | None = 50) -> list[Call]:
        """Calls placed since `since` (ISO UTC; Call.at), in `state` (states.STATES) if given,
        newest first, at most `limit` (None: all)."""
        found: list[Call] = []
        # callids(since) holds every call placed since then: a call is heard of after it is placed
        for call in self._fold(self.callids(since)):
            if (since is None or call.at >= since) and (state is None or call.state == state):
                found.append(call)
                if limit is not None and len(found) >= limit:
                    break
        return _newest_first(found)

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


def _newest_first(found: Iterable[Call]) -> list[Call]:
    return sorted(found, key=lambda c: c.at, reverse=True)


def _filtered(calls: Iterable[Call], since: str | None, state: str | None, limit: int) -> list[Call]:
    wanted = [c for c in calls if (since is None or c.at >= since) and state in (None, c.state)]
    return _newest_first(wanted)[:limit]
