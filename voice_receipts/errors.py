"""The package's own exceptions. Each carries the HTTP status and the reply code it turns into.

Only app.py turns them into replies; everything below it raises one of these and nothing else
(backends translate their vendor's errors at their own boundary).
"""

from __future__ import annotations

from voice_receipts import codes


class VoiceReceiptsError(Exception):
    """Base class: `status` is the HTTP status, `result` the non-zero reply code."""

    status = 500
    result = codes.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(VoiceReceiptsError):
    """The body is not a valid callback: the message names the field and the reason."""

    status = 400
    result = codes.INVALID_CALLBACK


class NotJSON(BadRequest):
    result = codes.INVALID_JSON


class AuthError(VoiceReceiptsError):
    """The request is not allowed to deliver receipts (auth.py raises these)."""


class Unauthorized(AuthError):
    """The URL token is missing, wrong, or given more than once."""

    status = 401
    result = codes.UNAUTHORIZED


class Forbidden(AuthError):
    """The source address is outside VOICE_RECEIPTS_ALLOWED_CIDRS, or direct invocation is off."""

    status = 403
    result = codes.FORBIDDEN


class MethodNotAllowed(VoiceReceiptsError):
    status = 405
    result = codes.METHOD_NOT_ALLOWED


class PayloadTooLarge(VoiceReceiptsError):
    status = 413
    result = codes.PAYLOAD_TOO_LARGE


class StoreUnavailable(VoiceReceiptsError):
    """The store could not durably take the receipt; 503 tells the sender to retry."""

    status = 503
    result = codes.STORE_UNAVAILABLE


class ConfigError(VoiceReceiptsError):
    """Bad or missing configuration: raised at start-up, never turned into a per-request reply."""


class UnsupportedOperation(VoiceReceiptsError):
    """A store cannot do what was asked (reading receipts back from a queue)."""


class BadMessage(VoiceReceiptsError):
    """A queue message that is not a receipt (Receipt.from_message): retrying will not help."""
