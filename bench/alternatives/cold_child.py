"""One cold start, run as a fresh process: python cold_child.py VARIANT CALLID

Imports the variant's handler module and answers one HTTP API 2.0 receipt, then prints one line:
in_child_ms import_ms invoke_ms peak_rss_kib status body. Timing starts at the very first line; everything
this runner needs before the import is already loaded by the interpreter (sys, os, time).
"""

import time

T0 = time.perf_counter()

import os  # noqa: E402 - after T0 on purpose; os and sys are already in sys.modules
import sys  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BODY = (
    '{"voicecode_callback": {"result": "0", "accept_time": "1764201607", "call_from": "075583763333",'
    ' "callid": "%s", "end_calltime": "1764201619", "fee": "1", "mobile": "13800138000",'
    ' "nationcode": "86", "start_calltime": "1764201598"}}'
)


class Context:
    """The parts of Lambda's context object the handlers read."""

    function_name = "voice-receipts-bench"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:voice-receipts-bench"

    def __init__(self, request_id):
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self):
        return 10_000


def event(callid):
    body = BODY % callid
    return {
        "version": "2.0",
        "routeKey": "POST /voice/callback",
        "rawPath": "/voice/callback",
        "rawQueryString": "token=bench-token-0123456789",  # the project checks it, as deployed
        "headers": {"content-type": "application/json", "content-length": str(len(body))},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "bench.execute-api.us-east-1.amazonaws.com",
            "http": {
                "method": "POST",
                "path": "/voice/callback",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.11",
                "userAgent": "VMS-Callback",
            },
            "requestId": callid,
            "routeKey": "POST /voice/callback",
            "stage": "$default",
            "time": "27/Nov/2026:03:12:34 +0000",
            "timeEpoch": 1795748754000,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def load(variant):
    if variant == "project":
        sys.path.insert(0, ROOT)
        import handler

        return handler.lambda_handler
    if variant == "floor":
        import floor

        return floor.lambda_handler
    if variant == "powertools":
        import powertools_plain

        return powertools_plain.lambda_handler
    if variant == "powertools_idempotent":
        import powertools_idempotent

        return powertools_idempotent.lambda_handler
    if variant == "none":  # interpreter start-up and this runner only
        return None
    raise SystemExit(f"unknown variant {variant!r}")


def peak_rss_kib():
    """VmHWM: this process's own peak RSS. ru_maxrss would not do: after a vfork/exec it starts
    from the parent's RSS (here the bench with moto loaded)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def main():
    variant, callid = sys.argv[1], sys.argv[2]
    the_event, context = event(callid), Context(callid)
    t1 = time.perf_counter()
    handler = load(variant)
    t2 = time.perf_counter()
    reply = handler(the_event, context) if handler else {"statusCode": 200, "body": '{"result":0}'}
    t3 = time.perf_counter()
    body = str(reply.get("body", "")).replace("\n", " ")
    times = f"{(t3 - T0) * 1e3:.3f} {(t2 - t1) * 1e3:.3f} {(t3 - t2) * 1e3:.3f}"
    line = f"{times} {peak_rss_kib()} {reply.get('statusCode')} {body}\n"
    sys.stdout.write(line)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no interpreter teardown: a Lambda process lives on after its first reply


if __name__ == "__main__":
    main()
