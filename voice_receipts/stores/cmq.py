"""cmq://QUEUE: each receipt becomes one message on a Tencent TDMQ for CMQ queue (API action SendCmqMsg).

A queue cannot tell a redelivery from a new receipt, so `put` always answers True and consumers
dedupe by the receipt's event_id (docs/stores.md, CMQ). Only tencentcloud modules are imported here,
and only when a cmq:// store is chosen (stores/__init__.py).

Time budget: the connect timeout is 1 s and the read timeout 3 s, so one attempt lasts at most 4 s.
A failure that came back fast (throttling, a 5xx, a refused or reset connection: under 1 s) is
retried once after 0.2 s; a timeout or any slower failure is not. The worst case is therefore
1 + 0.2 + 4 = 5.2 s, well inside a 10 s function timeout (DNS resolution is outside requests'
timeouts; in-region names resolve fast in SCF).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.tdmq.v20200217 import models, tdmq_client

from voice_receipts import tencent
from voice_receipts.config import SCF_REGION, TENCENT_ENDPOINT, TENCENT_REGION, Settings
from voice_receipts.errors import ConfigError, StoreUnavailable
from voice_receipts.receipt import Receipt
from voice_receipts.stores.base import Store
from voice_receipts.tencent import client_profile, timed_out

CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 3.0
RETRY_IF_FAILED_WITHIN_S = 1.0
BACKOFF_S = 0.2

# CMQ: up to 64 letters, digits, "-" or "_", starting with a letter
QUEUE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
TRANSIENT = ("ClientNetworkError", "ServerNetworkError", "RequestLimitExceeded", "InternalError")
TRANSPORT_WORDS = {  # tencent.transport_failure's kinds
    tencent.TIMED_OUT: "TDMQ did not answer in time",
    tencent.UNREACHABLE: "cannot reach the TDMQ endpoint",
    tencent.HTTP_ERROR: "TDMQ answered with an HTTP error",
    tencent.UNREADABLE: "TDMQ's answer could not be read",
}


# TDMQ's error codes (by prefix, first match wins) -> what a person can do about it
HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("AuthFailure.UnauthorizedOperation", "UnauthorizedOperation"),
        "; the function's role needs tdmq:SendCmqMsg on this queue",
    ),
    (("AuthFailure",), "; check the function's credentials"),
    (("ResourceNotFound", "ResourceUnavailable"), "; check that the queue exists in this region"),
    (("RequestLimitExceeded",), "; TDMQ is throttling"),
)


class CMQStore(Store):
    name = "cmq"

    def __init__(
        self,
        queue: str,
        client: tdmq_client.TdmqClient,
        *,
        attempts: int = 2,
        retry_if_failed_within_s: float = RETRY_IF_FAILED_WITHIN_S,
        backoff_s: float = BACKOFF_S,
    ) -> None:
        self.queue = queue
        self.client = client  # built once per process; anything with SendCmqMsg(request) will do
        self.attempts = max(1, attempts)
        self.retry_if_failed_within_s = retry_if_failed_within_s
        self.backoff_s = backoff_s

    @classmethod
    def open(cls, queue: str, settings: Settings) -> CMQStore:
        if not QUEUE_NAME.match(queue):
            raise ConfigError(
                f"cmq store URL must look like cmq://QUEUE (a CMQ queue name: a letter, then up to 63 "
                f"letters, digits, '-' or '_'), got {queue!r}"
            )
        region = settings.tencent_region or ""
        if not region:
            raise ConfigError(
                f"cmq store: no Tencent Cloud region; set {TENCENT_REGION} (e.g. ap-guangzhou) "
                f"or run in SCF, which sets {SCF_REGION}"
            )
        if not tencent.is_region(region):
            raise ConfigError(f"cmq store: {region!r} is not a Tencent Cloud region such as ap-guangzhou")
        credential = credential_from(settings.tencent_credentials)
        return cls(queue, build_client(region, credential, settings.tencent_endpoint))

    def put(self, receipt: Receipt) -> bool:
        request = models.SendCmqMsgRequest()
        request.QueueName = self.queue
        request.MsgContent = receipt.to_json()
        request.DelaySeconds = 0  # required by the API; 0 = deliverable at once
        for attempt in range(1, self.attempts + 1):
            started = time.monotonic()
            try:
                response = self.client.SendCmqMsg(request)
            except TencentCloudSDKException as exc:
                code, message = exc.get_code() or "", str(exc.get_message() or "")
                if attempt < self.attempts and self._worth_retrying(code, message, started):
                    time.sleep(self.backoff_s)
                    continue
                raise StoreUnavailable(self._explain(code, message)) from None
            if response.Result is not True:
                raise StoreUnavailable(f"cmq queue {self.queue!r}: TDMQ did not confirm the message")
            return True  # a queue cannot tell a duplicate: consumers dedupe by event_id
        raise AssertionError("unreachable")  # the loop returns or raises

    def _worth_retrying(self, code: str, message: str, started: float) -> bool:
        """Only a transient failure that came back fast: a timeout has already spent the budget."""
        fast = time.monotonic() - started < self.retry_if_failed_within_s
        return fast and code.startswith(TRANSIENT) and not timed_out(code, message)

    def _explain(self, code: str, message: str) -> str:
        """A few words a person can act on; the vendor's code, never its message (it may echo input)."""
        where = f"cmq queue {self.queue!r}"
        transport = tencent.transport_failure(code, message)
        if transport:
            return f"{where}: {TRANSPORT_WORDS[transport]}"
        safe = tencent.safe_code(code) or "unknown error"
        hint = next((h for prefixes, h in HINTS if safe.startswith(prefixes)), "")
        return f"{where}: {safe}{hint}"


def credential_from(env: Mapping[str, str]) -> Credential:
    """The function's Tencent credentials for TDMQ, found as tencent.credential_from finds them."""
    return tencent.credential_from(env, "cmq store", "tdmq:SendCmqMsg")


def build_client(region: str, credential: Credential, endpoint: str | None = None) -> tdmq_client.TdmqClient:
    """One client per process: its requests session keeps the TLS connection for the next receipt."""
    profile = client_profile(
        endpoint, TENCENT_ENDPOINT, connect_timeout_s=CONNECT_TIMEOUT_S, read_timeout_s=READ_TIMEOUT_S
    )
    return tdmq_client.TdmqClient(credential, region, profile)
