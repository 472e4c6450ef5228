"""Every file in events/ replayed through the handler, each answered as events/expected.toml records."""

import json

import pytest

from tests import samples
from voice_receipts.tools.replay import expected_for, items, load_expected, replay, replay_one

EXPECTED = load_expected(samples.EVENTS / "expected.toml")
ITEMS = list(items([samples.EVENTS]))


def test_every_item_has_an_expectation_and_every_expectation_an_item():
    sources = {expected_for(EXPECTED, i.source) is not None for i in ITEMS}
    assert sources == {True}
    assert len(EXPECTED) == len(ITEMS)


def test_replay_of_events_matches_every_recorded_outcome(make_app, store):
    results = list(replay(make_app(), [samples.EVENTS]))
    assert len(results) == len(ITEMS) > 30
    for r in results:
        want = expected_for(EXPECTED, r.source)
        assert (r.status, r.outcome) == (want["status"], want["outcome"]), r.source
        assert (r.result == 0) == (r.status == 200), r.source


def test_rejected_samples_store_nothing(make_app, store):
    app = make_app()
    for item in ITEMS:
        if expected_for(EXPECTED, item.source)["status"] != 200:
            replay_one(app, item)
    assert store.callids() == []


def test_a_second_replay_adds_nothing(make_app, store):
    app = make_app()
    first = [r.outcome for r in replay(app, [samples.EVENTS])]
    count = sum(len(store.receipts(c)) for c in store.callids())
    second = [r.outcome for r in replay(app, [samples.EVENTS])]
    assert "stored" not in second and first.count("stored") == count
    assert sum(len(store.receipts(c)) for c in store.callids()) == count


@pytest.mark.parametrize(
    "item", [i for i in ITEMS if "gateways/" in i.source], ids=lambda i: i.source.rsplit("/")[-1]
)
def test_gateway_samples_carry_the_sample_token(make_app, item):
    # the samples are what a deployment with VOICE_RECEIPTS_TOKEN=sample-token-change-me receives
    assert replay_one(make_app(VOICE_RECEIPTS_TOKEN="sample-token-change-me"), item).status == 200
    assert replay_one(make_app(VOICE_RECEIPTS_TOKEN="other-token-0123456"), item).status == 401


def test_jsonl_lines_are_items_of_their_own(tmp_path, make_app, store):
    archive = tmp_path / "archive.jsonl"
    lines = [json.dumps(samples.body("voicekey_callback", keypress=str(k))) for k in range(5)]
    archive.write_text("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\nnot json\n")
    results = list(replay(make_app(), [archive]))
    assert [r.outcome for r in results] == ["stored"] * 5 + ["rejected"]
    assert results[-1].source.endswith("archive.jsonl:7") and results[-1].status == 400


def test_large_replays_show_a_progress_bar_on_a_terminal(tmp_path, make_app, monkeypatch, capsys):
    import sys

    archive = tmp_path / "big.jsonl"
    archive.write_text(
        "\n".join(json.dumps(samples.body("voicekey_callback", keypress=str(k))) for k in range(250))
    )
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert len(list(replay(make_app(), [archive]))) == 250
    bar = capsys.readouterr().err
    assert "[##############################] 250/250" in bar and "50/250" in bar


def test_small_replays_and_pipes_show_no_progress_bar(tmp_path, make_app, capsys):
    archive = tmp_path / "big.jsonl"
    archive.write_text(
        "\n".join(json.dumps(samples.body("voicekey_callback", keypress=str(k))) for k in range(250))
    )
    list(replay(make_app(), [archive]))  # stderr is not a terminal under pytest
    assert "/250" not in capsys.readouterr().err
