"""The body that makes the largest stored record for its size: what every store must still take.

A record grows most from a body in two ways (docs/limits.md):
- a number such as `9e15,` (5 bytes) comes back as `9000000000000000.0,` (19 bytes): 3.8x;
- a documented text field is stored twice (in `raw` and normalised), and a 4-byte character is
  written as a 12-byte surrogate pair `\\ud83d\\ude00` in each.
So: a voice_failure_callback with every documented text field at its cap in 4-byte characters,
the failure code with the spec's longest text, and the rest of the body filled with 9e15.
"""

from __future__ import annotations

import json

from voice_receipts import codes

WIDE = "\U0001f600"  # 4 bytes in UTF-8, 12 bytes as \ud83d\ude00
# the documented caps (docs/limits.md), written out so that a test fails if the code drifts
CAPS = {
    "callid": 256,
    "mobile": 32,
    "nationcode": 8,
    "call_from": 32,
    "result": 32,
    "keypress": 32,
    "failure_reason": 512,
}
LONGEST_TEXT_CODE = max(codes.FAILURE_CODES, key=lambda c: len(json.dumps(codes.FAILURE_CODES[c])))
NUMBER = b"9e15"


def worst_case_body(size: int, callid_tail: str = "") -> bytes:
    """A valid callback body of exactly `size` bytes (size must leave room for the fields)."""
    callid = WIDE * (CAPS["callid"] - len(callid_tail)) + callid_tail
    fields = {
        "callid": callid,
        "mobile": WIDE * CAPS["mobile"],
        "nationcode": WIDE * CAPS["nationcode"],
        "call_from": WIDE * CAPS["call_from"],
        "failure_code": LONGEST_TEXT_CODE,
        "failure_reason": WIDE * CAPS["failure_reason"],
    }
    head = json.dumps({"voice_failure_callback": fields}, ensure_ascii=False, separators=(",", ":"))
    head_bytes = head[:-2].encode() + b',"n":['  # reopen the callback object for the numbers
    tail = b'],"p":""}}'
    room = size - len(head_bytes) - len(tail)
    if room < len(NUMBER):
        raise ValueError(f"{size} bytes leave no room for the numbers")
    count = (room + 1) // (len(NUMBER) + 1)
    numbers = b",".join([NUMBER] * count)
    pad = room - len(numbers)  # 0..4 bytes left: ASCII in the "p" string
    body = head_bytes + numbers + b'],"p":"' + b"x" * pad + b'"}}'
    assert len(body) == size, (len(body), size)
    return body


def sqs_message_bytes(body: str, attributes: dict) -> int:
    """A message's size as SQS counts it: the body, plus each attribute's name, type and value."""
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode()) + len(value["DataType"].encode()) + len(value["StringValue"].encode())
    return size


def in_sqs_character_set(text: str) -> bool:
    """#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF (SendMessage docs)."""
    for ch in text:
        c = ord(ch)
        if not (c in (0x9, 0xA, 0xD) or 0x20 <= c <= 0xD7FF or 0xE000 <= c <= 0xFFFD or c >= 0x10000):
            return False
    return True
