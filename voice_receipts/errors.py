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


# -- sending (send.py): never raised in the function, so they carry an exit status, not a reply --


class SendError(VoiceReceiptsError):
    """A send did not end in a recorded call. `exit_status` is what `send` exits with (docs/sending.md)."""

    exit_status = 1


class SendInvalid(SendError):
    """The input was refused before anything was sent: a number VMS cannot call, a code that is
    not digits, play times out of 1-3, a template id or parameter VMS would refuse."""

    exit_status = 3


class SendRefused(SendError):
    """VMS answered with an error code (`code`): nothing was sent. `request_id` is VMS's, for support."""

    exit_status = 4

    def __init__(self, message: str, code: str = "", request_id: str | None = None) -> None:
        super().__init__(message)
        self.code, self.request_id = code, request_id


class SendRateLimited(SendRefused):
    """VMS refused because of a frequency limit (per number, or the API's 20 requests/s)."""

    exit_status = 5


class SendUnreachable(SendError):
    """No answer from VMS: the endpoint could not be reached, or it did not answer in time (then
    the call may have been placed: its receipts will tell)."""

    exit_status = 6


class SendNotRecorded(SendError):
    """VMS placed the call (`call_id`) but the `sent` record could not be stored."""

    exit_status = 7

    def __init__(self, message: str, call_id: str, sent: object = None) -> None:
        super().__init__(message)
        self.call_id, self.sent = call_id, sent
