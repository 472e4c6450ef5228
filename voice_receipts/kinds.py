"""The kinds of receipt, named once: the callback keys of the spec and the short names we store;
and what a call is and the states it can be in (calls.py), which the function's metrics name too."""

from __future__ import annotations

VOICECODE = "voicecode"  # status of a voice verification code call
VOICEPROMPT = "voiceprompt"  # status of a voice notification call
VOICEKEY = "voicekey"  # a key the callee pressed during a notification
VOICE_FAILURE = "voice_failure"  # why a call failed
SENT = "sent"  # not a callback: our record of a send through the VMS API (send.py)

STATUS_KINDS = (VOICECODE, VOICEPROMPT)
CALLBACK_KINDS = (VOICECODE, VOICEPROMPT, VOICEKEY, VOICE_FAILURE)
ALL_KINDS = (SENT, *CALLBACK_KINDS)

SUFFIX = "_callback"


def key_of(kind: str) -> str:
    """voicecode -> voicecode_callback, the body's only key."""
    return kind + SUFFIX


def kind_of(key: str) -> str:
    """voicecode_callback -> voicecode."""
    return key.removesuffix(SUFFIX)


# What a call is, as `Call.kind` names it: a verification code or a notification. A receipt's
# kind tells it where it can (a key press happens only during a notification); a failure
# receipt alone cannot, so the call's kind stays None until another receipt says.
CODE = "code"
NOTIFICATION = "notification"
CALL_KIND = {VOICECODE: CODE, VOICEPROMPT: NOTIFICATION, VOICEKEY: NOTIFICATION}
# A `sent` record's Receipt.message names the API that placed the call (send.py), and so its kind
SENT_MESSAGES = {"code": CODE, "tts": NOTIFICATION}

# Call.state: how the call ended, or that it has not yet (no status or failure receipt). Here,
# not in calls.py, so that metrics.py says the same words without the function importing calls.py.
ANSWERED = "answered"
NOT_ANSWERED = "not_answered"
CALL_ERROR = "call_error"
FAILED = "failed"  # a failure receipt and no status receipt
UNDOCUMENTED = "undocumented"  # a status receipt whose `result` the spec does not list
IN_PROGRESS = "in_progress"
# and SENT, the kind's own name: sent through this package (a `sent` record), nothing heard of it yet
STATES = (ANSWERED, NOT_ANSWERED, CALL_ERROR, FAILED, UNDOCUMENTED, IN_PROGRESS, SENT)
# A status receipt's `result` (as VMS sent it) -> Call.state
STATE_OF_RESULT = {"0": ANSWERED, "1": NOT_ANSWERED, "2": CALL_ERROR}
