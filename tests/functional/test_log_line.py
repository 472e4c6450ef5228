"""The one JSON log line per request, field by field: what CLS and CloudWatch Logs queries read
(outcome, status, state, kind, callid), the masked number, the request id that ties a line to the
platform's own, its level (ERROR when a person must look), and errmsg only when not 200."""

from __future__ import annotations

import io
import json

from tests import samples
from voice_receipts import logs
from voice_receipts.app import App
from voice_receipts.errors import StoreUnavailable

SCF_CONTEXT = {"request_id": "scf-req-7"}


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def run(app: App, event, level: str = "INFO", context=SCF_CONTEXT) -> dict:
    stream = io.StringIO()
    logs.configure(level, stream)
    app(event, context)
    [line] = lines(stream)
    return line


def test_a_stored_receipt_is_one_info_line_with_every_field(make_app):
    line = run(make_app(), samples.tencent_url(samples.body("voicecode_callback", callid="c-log")))
    duration = line.pop("duration_ms")
    assert isinstance(duration, float) and 0 <= duration < 10_000
    assert line == {
        "level": "INFO",
        "message": "receipt",
        "request_id": "scf-req-7",
        "via": "tencent-function-url",
        "callid": "c-log",
        "kind": "voicecode",
        "mobile": "138******00",
        "state": "answered",
        "outcome": "stored",
        "status": 200,
    }


def test_a_rejected_request_has_no_receipt_fields_and_says_why(make_app):
    line = run(make_app(), samples.tencent_url({"voicecode_callback": []}))
    assert (line["level"], line["outcome"], line["status"]) == ("INFO", "rejected", 400)
    assert (
        line["callid"] is None and line["kind"] is None and line["mobile"] is None and line["state"] is None
    )
    assert line["errmsg"] == "voicecode_callback must be a JSON object, got an array"
    assert line["via"] == "tencent-function-url" and line["request_id"] == "scf-req-7"


def test_a_key_press_has_no_state_and_a_duplicate_says_so(make_app):
    app = make_app()
    event = samples.tencent_url(samples.body("voicekey_callback"))
    first = run(app, event)
    assert first["state"] is None and first["outcome"] == "stored" and "errmsg" not in first
    assert run(app, event)["outcome"] == "duplicate"


class Unavailable:
    name = "sqlite"

    def put(self, receipt):
        raise StoreUnavailable("the store is busy")


class Broken:
    name = "sqlite"

    def put(self, receipt):
        raise KeyError("a bug")


def test_an_unavailable_store_is_an_error_line(make_app):
    app = App(make_app().gate, Unavailable())
    line = run(app, samples.tencent_url(samples.body("voicecode_callback")))
    assert (line["level"], line["outcome"], line["status"]) == ("ERROR", "unavailable", 503)
    assert line["errmsg"] == "the store is busy; retry later" and line["callid"] == "call-code-1"


def test_a_bug_is_an_error_line_naming_its_class_and_place_not_its_message(make_app):
    app = App(make_app().gate, Broken())
    line = run(app, samples.tencent_url(samples.body("voicecode_callback")))
    assert (line["level"], line["outcome"], line["status"]) == ("ERROR", "error", 500)
    assert line["error"] == "KeyError" and line["where"].startswith("test_log_line.py:")
    assert "a bug" not in json.dumps(line)


def test_at_warning_a_stored_receipt_writes_no_line_but_a_failure_does(make_app):
    stream = io.StringIO()
    logs.configure("WARNING", stream)
    make_app()(samples.tencent_url(samples.body("voicecode_callback")), SCF_CONTEXT)
    assert stream.getvalue() == ""
    App(make_app().gate, Unavailable())(samples.tencent_url(samples.body("voicecode_callback")), SCF_CONTEXT)
    assert [line["outcome"] for line in lines(stream)] == ["unavailable"]


def test_a_health_check_is_a_debug_line_only(make_app):
    event = samples.tencent_url(None, method="GET", path="/voice/health")
    stream = io.StringIO()
    logs.configure("INFO", stream)
    make_app()(event, SCF_CONTEXT)
    assert stream.getvalue() == ""
    line = run(make_app(), event, level="DEBUG")
    assert (line["level"], line["outcome"], line["status"]) == ("DEBUG", "healthy", 200)


def test_a_request_refused_before_it_is_read_still_names_its_gateway(make_app):
    event = samples.tencent_url(None)
    event["body"] = 5  # not a string: refused while the gateway reads the event
    line = run(make_app(), event)
    assert (line["outcome"], line["status"], line["via"]) == ("rejected", 400, "tencent-function-url")


def test_direct_invocation_turned_off_says_how_to_call(make_app):
    app = make_app(VOICE_RECEIPTS_DIRECT_INVOCATION="false")
    line = run(app, samples.body("voicekey_callback"))
    assert line["status"] == 403
    assert (
        line["errmsg"] == "direct invocation is turned off (VOICE_RECEIPTS_DIRECT_INVOCATION); call the URL"
    )


class Slow:
    name = "sqlite"

    def put(self, receipt):
        import time

        time.sleep(0.05)
        return True


def test_duration_is_in_milliseconds_to_the_microsecond(make_app):
    line = run(App(make_app().gate, Slow()), samples.tencent_url(samples.body("voicecode_callback")))
    assert 50 <= line["duration_ms"] < 5_000
    assert line["duration_ms"] == round(line["duration_ms"], 3)


def test_duration_is_the_clocks_difference_in_milliseconds_rounded_to_three_places(make_app, monkeypatch):
    import types

    import voice_receipts.app as app_module

    readings = iter([100.0, 100.0123456])  # the request's start and its end, 12.3456 ms apart
    monkeypatch.setattr(app_module, "time", types.SimpleNamespace(perf_counter=lambda: next(readings)))
    line = run(make_app(), samples.tencent_url(samples.body("voicecode_callback")))
    assert line["duration_ms"] == 12.346


def test_with_metrics_on_the_line_counts_the_receipt_by_kind_and_the_call_by_state(make_app):
    from voice_receipts.metrics import Metrics

    app = App(make_app().gate, make_app().store, Metrics("fn", 12.0))
    line = run(app, samples.tencent_url(samples.body("voicecode_callback")))
    directives = line["_aws"]["CloudWatchMetrics"]
    assert directives[0]["Dimensions"] == [["function", "outcome"], ["function", "kind", "outcome"]]
    assert (line["Receipts"], line["Calls"], line["state"], line["function"]) == (1, 1, "answered", "fn")
