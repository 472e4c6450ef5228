"""AWS clients as the function uses them: bounded boto3 clients, and botocore's errors translated
through tables. The DynamoDB and SQS stores and the events publisher share it; nothing else
imports it, so a function configured for another backend never loads botocore.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from voice_receipts.display import safe_code
from voice_receipts.errors import ConfigError, StoreUnavailable

# Bounds that end a faulting request well inside a 10 s function timeout. Note botocore's trap:
# retries={"max_attempts": N} counts RETRIES (N + 1 calls); "total_max_attempts" counts calls.
CONNECT_TIMEOUT_S = 1.0  # an AWS endpoint in the same region connects in milliseconds
READ_TIMEOUT_S = 2.0  # PutItem/SendMessage answer in tens of milliseconds; 2 s is a sick service
TOTAL_ATTEMPTS = 2  # the first call and one retry; the sender (VMS) retries a 503 anyway
# Standard mode sleeps rand(0, 1) * base * 2**i before retry i: base is 1 s after a throttling
# error, 25-50 ms after anything else. With one retry the worst case is two calls that both
# time out: 2 * (1 + 2) + 0.05 = 6.05 s (a throttled call answers fast: 1 + 3 = 4 s).
WORST_CASE_S = TOTAL_ATTEMPTS * (CONNECT_TIMEOUT_S + READ_TIMEOUT_S) + 0.05

CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_S,
    read_timeout=READ_TIMEOUT_S,
    retries={"total_max_attempts": TOTAL_ATTEMPTS, "mode": "standard"},
)

THROTTLING = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "LimitExceededException",
    "KMS.ThrottlingException",
}
CREDENTIALS = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "MissingAuthenticationToken",
    "IncompleteSignature",
    "ExpiredToken",
    "ExpiredTokenException",
}
MISSING = {
    "ResourceNotFoundException",
    "QueueDoesNotExist",
    "AWS.SimpleQueueService.NonExistentQueue",
}
SERVER_SIDE = {"InternalServerError", "ServiceUnavailable"}

# A ClientError's code (and HTTP status) -> what it means for the store, first match wins: a
# table, as httpx maps its transport's errors, instead of an if-chain
CLIENT_ERRORS: tuple[tuple[Callable[[str, int], bool], str], ...] = (
    (lambda code, _: code in THROTTLING, "is throttling"),
    (lambda code, _: code in MISSING, "does not exist in this account and region"),
    (lambda code, _: code in CREDENTIALS, "rejected the AWS credentials"),
    (lambda code, _: "AccessDenied" in code, "denied access: the function's role lacks a permission"),
    (lambda code, status: status >= 500 or code in SERVER_SIDE, "is failing on AWS's side"),
)
# botocore's own errors (no answer from AWS) -> what happened
TRANSPORT_ERRORS: tuple[tuple[tuple[type[Exception], ...], str], ...] = (
    ((ConnectTimeoutError, ReadTimeoutError), "timed out"),
    ((EndpointConnectionError,), "cannot be reached"),
    (
        (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError),
        "cannot be used: no usable AWS credentials",
    ),
)


def make_client(service: str, region: str | None = None, endpoint_url: str | None = None) -> Any:
    """A client with the bounded CONFIG; built once per process by the store's from_url.

    Region and endpoint follow botocore's own resolution (AWS_DEFAULT_REGION, which Lambda
    sets; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS), so the offline
    stack points the stores at moto without any setting of ours.
    """
    # botocore, not boto3: the stores use only the low-level client, and boto3's import (with
    # s3transfer) added ~55 ms and ~2.5 MiB to every cold start (make bench)
    import botocore.session

    try:
        # a Session of our own: never a module-global default session other code may mutate
        return botocore.session.Session().create_client(
            service, region_name=region, endpoint_url=endpoint_url, config=CONFIG
        )
    except NoRegionError:
        raise ConfigError(
            f"no AWS region for the {service} store: set AWS_REGION or AWS_DEFAULT_REGION"
        ) from None
    except BotoCoreError as exc:  # a malformed endpoint URL or profile: a start-up problem
        raise ConfigError(f"cannot build the {service} client: {type(exc).__name__}") from None


class _Answered:
    """What botocore reads of an HTTP response body (AWSResponse.content reads raw.stream())."""

    def stream(self) -> Iterator[bytes]:
        yield b"{}"


def rehearse(client: Any, method: str, params: dict[str, Any]) -> None:
    """One call through the client's whole pipeline (validation, serialisation, endpoint,
    signing, parsing) that is answered at botocore's `before-send` event instead of being sent:
    the first-call work botocore does once per client happens now, and nothing reaches AWS."""
    from botocore.awsrequest import AWSResponse

    operation = client.meta.method_to_api_mapping[method]  # put_item -> PutItem
    event = f"before-send.{client.meta.service_model.endpoint_prefix}.{operation}"

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {}, _Answered())

    client.meta.events.register(event, answer, unique_id="voice-receipts-rehearse")
    try:
        getattr(client, method)(**params)
    except (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError) as exc:
        # signing needs credentials, which a container endpoint may hand out a moment later: the
        # warm-up only logs this (runtime._warm), as a put answers it 503 for VMS to retry
        raise unavailable(client.meta.service_model.service_name, exc) from exc
    finally:
        client.meta.events.unregister(event, unique_id="voice-receipts-rehearse")


def error_code(exc: BaseException) -> str:
    """The vendor's error code, reduced to characters that are safe in a reply and a log."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code") or "UnknownError")
    else:
        code = type(exc).__name__
    return safe_code(code) or "UnknownError"


def unavailable(what: str, exc: Exception) -> StoreUnavailable:
    """Translate a botocore error into StoreUnavailable naming `what` ("dynamodb table 'x'").

    The message carries the error code only, never the vendor's message: those name account
    ids, role ARNs and endpoints, and errmsg goes back to the sender and into the logs.
    """
    code = error_code(exc)
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        words = next((w for matches, w in CLIENT_ERRORS if matches(code, status)), "refused the request")
    else:
        words = next((w for kinds, w in TRANSPORT_ERRORS if isinstance(exc, kinds)), "failed")
    return StoreUnavailable(f"{what} {words} ({code})")


# What every store call catches: the two roots of botocore's errors.
AWS_ERRORS = (ClientError, BotoCoreError)
