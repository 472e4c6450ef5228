"""The store interface every backend implements, and what they all share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from voice_receipts.errors import UnsupportedOperation
from voice_receipts.receipt import Receipt


class Store(ABC):
    """Where receipts go. A backend implements `put` and, if it can read back, `receipts`.

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

    def receipts(self, callid: str) -> list[Receipt]:
        """Every receipt of one call, oldest first."""
        raise UnsupportedOperation(f"the {self.name} store cannot read receipts back")

    def callids(self) -> Iterable[str]:
        """Every call in the store (local use: `show` without a callid)."""
        raise UnsupportedOperation(f"the {self.name} store cannot list calls")

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
