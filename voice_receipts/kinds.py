"""The kinds of receipt, named once: the callback keys of the spec and the short names we store;
and what kind of call a receipt belongs to. How a call ended is states.py's."""

from __future__ import annotations

VOICECODE = "voicecode"  # status of a voice verification code call
VOICEPROMPT = "voiceprompt"  # status of a voice notification call
VOICEKEY = "voicekey"  # a key the callee pressed during a notification
VOICE_FAILURE = "voice_failure"  # why a call failed
SENT = "sent"  # not a callback: our record of a send through the VMS API (send.py)

STATUS_KINDS = (VOICECODE, VOICEPROMPT)

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
