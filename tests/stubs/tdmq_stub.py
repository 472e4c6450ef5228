"""A local stand-in for Tencent Cloud's TDMQ API (action SendCmqMsg), for tests, fuzzing and benchmarks.

It checks each request the way the real API does (the TC3-HMAC-SHA256 signature included, verified
with the secret key: tencent_api.TencentApiStub), answers in Tencent's shape, and records every
request it received. Faults are programmable: an error code, a delay, a body that is not JSON, a
dropped connection.

    with TdmqStub(queues=["receipts"]) as stub:
        client = ...HttpProfile(endpoint=stub.endpoint, protocol="http")...
        stub.fail_next("RequestLimitExceeded", times=2)
        ...
        assert stub.messages[0].body == receipt.to_json()
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

from tests.stubs.tencent_api import Received, StubError, TencentApiStub
from tests.stubs.tencent_api import tc3_headers as _tc3_headers

ACTION = "SendCmqMsg"
VERSION = "2020-02-17"
SERVICE = "tdmq"
DEFAULT_MAX_MSG_SIZE = 65_536  # CreateCmqQueue's MaxMsgSize default (SDK: models.py), in bytes

# signed headers of a TDMQ request, for tests that talk to the stub without the SDK
tc3_headers = functools.partial(_tc3_headers, service=SERVICE, action=ACTION, version=VERSION)


@dataclass(frozen=True)
class Message:
    """A message the stub accepted onto one of its queues."""

    queue: str
    body: str
    msg_id: str
    delay_seconds: int


class TdmqStub(TencentApiStub):
    """The TDMQ API on 127.0.0.1, an ephemeral port, in a background thread."""

    SERVICE = SERVICE
    VERSION = VERSION
    ACTIONS = frozenset({ACTION})

    def __init__(
        self,
        *,
        queues: list[str] | tuple[str, ...] = ("receipts",),
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        **options,
    ) -> None:
        super().__init__(**options)
        self.queues: set[str] = set(queues)
        self.max_msg_size = max_msg_size  # every queue's MaxMsgSize: longer MsgContent is refused
        self._messages: list[Message] = []

    @property
    def messages(self) -> list[Message]:
        """Every message accepted onto a queue."""
        with self._lock:
            return list(self._messages)

    def _forget(self) -> None:
        self._messages.clear()

    def _answer(self, action: str, params: dict) -> tuple[dict, str]:
        for name in ("QueueName", "MsgContent", "DelaySeconds"):
            if name not in params:
                raise StubError("MissingParameter", f"the parameter {name} is missing")
        if not isinstance(params["QueueName"], str) or not isinstance(params["MsgContent"], str):
            raise StubError("InvalidParameterValue", "QueueName and MsgContent must be strings")
        if not isinstance(params["DelaySeconds"], int) or params["DelaySeconds"] < 0:
            raise StubError("InvalidParameterValue", "DelaySeconds must be a whole number >= 0")
        if not params["MsgContent"]:
            raise StubError("InvalidParameterValue", "MsgContent must not be empty")
        if params["QueueName"] not in self.queues:
            raise StubError("ResourceNotFound", f"queue {params['QueueName']} does not exist")
        if len(params["MsgContent"].encode("utf-8", "surrogatepass")) > self.max_msg_size:
            # the SDK's errorcodes.py names it; the queue's MaxMsgSize counts the message's bytes
            raise StubError("FailedOperation.MaxMessageSizeError", f"message over {self.max_msg_size} bytes")
        msg_id = uuid.uuid4().hex.upper()
        with self._lock:
            self._messages.append(
                Message(params["QueueName"], params["MsgContent"], msg_id, params["DelaySeconds"])
            )
        return {"Result": True, "MsgId": msg_id}, msg_id


__all__ = ["Message", "Received", "TdmqStub", "tc3_headers"]
