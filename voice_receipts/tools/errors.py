"""The tools' errors: what a command exits with. They never reach the function, so none of them
can become a reply (the receive path's errors are in voice_receipts/errors.py).

    ToolError (exit 2)                  a command could not do what was asked
    +-- UsageError (exit 2)               an argument is wrong: say which and why
    +-- SendError (exit 1)                a send did not end in a recorded call (docs/sending.md)
        +-- SendInvalid (3)                 refused before anything was sent
        +-- SendRefused (4) -> SendRateLimited (5)   VMS answered with an error code
        +-- SendUnreachable (6)             no answer from VMS
        +-- SendNotRecorded (7)             placed, but the `sent` record could not be stored
    +-- ApplyError (exit 1)               `alarms apply` stopped part-way; running it again is safe
        +-- ApplyDenied (3)                 the credentials were refused, or lack a CLS permission
        +-- ApplyNotFound (4)               the log topic or the notification group does not exist
        +-- ApplyRefused (5)                CLS refused the configuration (a parameter, a quota)
        +-- ApplyUnreachable (6)            no answer, or CLS busy: run it again

The command line (tools/cli/__init__.py) prints any of these, or any of the package's own errors
(exit 2), as one line.
"""

from __future__ import annotations

from voice_receipts.errors import VoiceReceiptsError


class ToolError(VoiceReceiptsError):
    """`exit_status` is what the command exits with."""

    exit_status = 2


class UsageError(ToolError):
    """A value a person typed is wrong (a flag, a path, a zone, a date): one line, exit 2."""


class SendError(ToolError):
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


class ApplyError(ToolError):
    """`alarms apply` stopped: what came before was applied, the rest was not; running it again is
    safe (it updates, never duplicates). `code` and `request_id` are CLS's, for support."""

    exit_status = 1

    def __init__(self, message: str, code: str = "", request_id: str | None = None) -> None:
        super().__init__(message)
        self.code, self.request_id = code, request_id


class ApplyDenied(ApplyError):
    """The credentials were refused (AuthFailure.*) or lack a permission (UnauthorizedOperation)."""

    exit_status = 3


class ApplyNotFound(ApplyError):
    """The log topic or the notification group named does not exist (in that region)."""

    exit_status = 4


class ApplyRefused(ApplyError):
    """CLS refused what was sent: a parameter, a conflict, a quota."""

    exit_status = 5


class ApplyUnreachable(ApplyError):
    """No usable answer from CLS (network, timeout, rate limit, its internal error): try again."""

    exit_status = 6
