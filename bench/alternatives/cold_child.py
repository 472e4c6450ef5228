"""One cold start, run as a fresh process: python cold_child.py VARIANT CALLID [WARM_CALLS]

Imports the variant's handler module and answers one HTTP API 2.0 receipt, then prints one line:
in_child_ms import_ms invoke_ms peak_rss_kib first_cpu_ms warm_ms warm_cpu_ms status body.
Timing starts after the modules Lambda's runtime has loaded before any handler (see below);
everything this runner needs before the import is already loaded by then (sys, os, time).
With WARM_CALLS, that many more receipts (fresh callids) follow the first one, and warm_ms /
warm_cpu_ms are their medians (else -1).

The `shipped` variant is the package as built by deploy/build_package.py, from the folder in
BENCH_PACKAGE, with botocore from BENCH_RUNTIME (bench/shipped.py), and no site-packages: run it
with `python -B`, as Lambda's read-only /var/task and SCF's PYTHONDONTWRITEBYTECODE run it.
"""

# What Lambda's Python runtime has imported before it imports a handler: its bootstrap
# (aws-lambda-python-runtime-interface-client, awslambdaric/bootstrap.py) starts with importlib,
# json, logging, os, sys, time and traceback, and sets logging up. On Lambda a handler pays none
# of them, so every variant here starts with them loaded, before the clock: the wall time (and
# the `none` variant) still counts them, the in-child time does not.
import importlib  # noqa: F401
import json  # noqa: F401
import logging  # noqa: F401
import time
import traceback  # noqa: F401

T0 = time.perf_counter()

import os  # noqa: E402 - after T0 on purpose; os and sys are already in sys.modules
import sys  # noqa: E402

# What the interpreter's start-up loaded (site, and the venv's .pth hooks), the same for all
STARTUP_MODULES = frozenset(sys.modules)

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


def shipped_path():
    """Lambda's order: the function's folder, then the runtime's own packages; no venv."""
    package, runtime = os.environ["BENCH_PACKAGE"], os.environ["BENCH_RUNTIME"]
    sys.path[:] = [package, runtime] + [p for p in sys.path[1:] if "-packages" not in p]
    return package, runtime


def check_shipped(package, runtime):
    """Fail the run if anything came from outside the package, the runtime folder or the stdlib."""
    stdlib = os.path.dirname(os.__file__)
    for name, module in list(sys.modules.items()):
        if name in STARTUP_MODULES:
            continue
        where = getattr(module, "__file__", None)
        if where and not where.startswith((package, runtime, stdlib, HERE)):
            raise SystemExit(f"shipped run imported {name} from {where}")


def load(variant):
    if variant == "shipped":
        shipped_path()
        import handler

        return handler.lambda_handler
    if variant == "project":
        sys.path.insert(0, ROOT)
        import handler

        return handler.lambda_handler
    if variant == "floor":
        import floor

        return floor.lambda_handler
    if variant in ("floor_mysql", "floor_mysql_plain"):  # bench/sql.py: a ten-line handler into
        shipped_path()  # MySQL, with the same PyMySQL (and nothing else) as the shipped package
        sys.path.append(HERE)
        if variant == "floor_mysql_plain":
            os.environ["BENCH_MYSQL_PLAIN"] = "1"
        import floor_mysql

        return floor_mysql.lambda_handler
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


def warm_calls(handler, callid, count):
    """Median wall and CPU (ms) of `count` more receipts, each with a callid of its own."""
    walls, cpus = [], []
    for i in range(count):
        the_event, context = event(f"{callid}-w{i}"), Context(f"{callid}-w{i}")
        w, c = time.perf_counter(), time.process_time()
        reply = handler(the_event, context)
        walls.append((time.perf_counter() - w) * 1e3)
        cpus.append((time.process_time() - c) * 1e3)
        if reply.get("statusCode") != 200:
            raise SystemExit(f"warm call {i} answered {reply}")
    return sorted(walls)[count // 2], sorted(cpus)[count // 2]


def main():
    variant, callid = sys.argv[1], sys.argv[2]
    warm = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    the_event, context = event(callid), Context(callid)
    t1 = time.perf_counter()
    handler = load(variant)
    t2 = time.perf_counter()
    c2 = time.process_time()
    reply = handler(the_event, context) if handler else {"statusCode": 200, "body": '{"result":0}'}
    t3 = time.perf_counter()
    first_cpu = (time.process_time() - c2) * 1e3
    rss = peak_rss_kib()
    if variant == "shipped":
        check_shipped(os.environ["BENCH_PACKAGE"], os.environ["BENCH_RUNTIME"])
    warm_ms, warm_cpu = warm_calls(handler, callid, warm) if warm and handler else (-1, -1)
    body = str(reply.get("body", "")).replace("\n", " ")
    times = f"{(t3 - T0) * 1e3:.3f} {(t2 - t1) * 1e3:.3f} {(t3 - t2) * 1e3:.3f}"
    extra = f"{first_cpu:.3f} {warm_ms:.3f} {warm_cpu:.3f}"
    line = f"{times} {rss} {extra} {reply.get('statusCode')} {body}\n"
    sys.stdout.write(line)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no interpreter teardown: a Lambda process lives on after its first reply


if __name__ == "__main__":
    main()
