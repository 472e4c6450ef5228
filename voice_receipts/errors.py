"""The package's own exceptions: the receive path's and the library's. The tools' (exit statuses)
are in tools/errors.py, and none of them can become a reply.

    VoiceReceiptsError                  every error of this package
    +-- ReplyError (status, result)     the receive path: app.py alone turns these into replies
    |   +-- BadRequest -> NotJSON         400: the body is not a valid callback
    |   +-- AuthError -> Unauthorized     401, Forbidden 403
    |   +-- MethodNotAllowed 405, PayloadTooLarge 413
    |   +-- StoreUnavailable 503          the sender may retry
    +-- ConfigError                     a setting is wrong: start-up stops (never a per-request reply)
    +-- UnsupportedOperation            a store cannot do what was asked (read a queue back)
    +-- BadMessage                      a queue message that is not a receipt
    +-- InvalidLookup                   an empty or malformed lookup value (a phone, a context, a callid)

Backends translate their vendor's errors at their own boundary, through a table (aws.py,
tencent.py, stores/sql.py); nothing else escapes them.
"""

from __future__ import annotations

from voice_receipts import codes


class VoiceReceiptsError(Exception):
    """Base class of every error this package raises; `message` is one line a person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReplyError(VoiceReceiptsError):
    """The receive path's errors: `status` is the HTTP status, `result` the non-zero reply code."""

    status = 500
    result = codes.INTERNAL


class BadRequest(ReplyError):
    """The body is not a valid callback: the message names the field and the reason."""

    status = 400
    result = codes.INVALID_CALLBACK


class NotJSON(BadRequest):
    result = codes.INVALID_JSON


class AuthError(ReplyError):
    """The request is not allowed to deliver receipts (auth.py raises these)."""


class Unauthorized(AuthError):
    """The URL token is missing, wrong, or given more than once."""

    status = 401
    result = codes.UNAUTHORIZED


class Forbidden(AuthError):
    """The source address is outside VOICE_RECEIPTS_ALLOWED_CIDRS, or direct invocation is off."""

    status = 403
    result = codes.FORBIDDEN


class MethodNotAllowed(ReplyError):
    status = 405
    result = codes.METHOD_NOT_ALLOWED


class PayloadTooLarge(ReplyError):
    status = 413
    result = codes.PAYLOAD_TOO_LARGE


class StoreUnavailable(ReplyError):
    """The store could not durably take the receipt; 503 tells the sender to retry."""

    status = 503
    result = codes.STORE_UNAVAILABLE


class ConfigError(VoiceReceiptsError):
    """Bad or missing configuration: raised at start-up, never turned into a per-request reply."""


class UnsupportedOperation(VoiceReceiptsError):
    """A store cannot do what was asked (reading receipts back from a queue)."""


class BadMessage(VoiceReceiptsError):
    """A queue message that is not a receipt (Receipt.from_message): retrying will not help."""


class InvalidLookup(VoiceReceiptsError, ValueError):
    """A lookup value (a phone number, a business id, a callid) that is empty or cannot be one:
    an empty value must never widen a lookup to every call (lookups.py)."""
