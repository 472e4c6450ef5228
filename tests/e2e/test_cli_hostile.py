"""Every argument of every command, given hostile values: one line on stderr and a documented exit
status, never a traceback (issue 21, class 3).

The commands and their options are read from the parser itself, so a command or option added
later (`db`...) is covered without editing this list. In-process (tools.cli.main) with pytest's
capture, whose streams are strict UTF-8: text that a terminal could not take (an undecodable argv
byte, a lone surrogate) fails here as it would on a strict stdout."""

from __future__ import annotations

import argparse
import os

import pytest

from tests import samples
from voice_receipts.tools import cli
from voice_receipts.tools import server as server_module

UNCREATABLE = "/proc/voice-receipts-no-such-folder"
# cwd for every case: deeper than any `../` in HOSTILE climbs, so an output path that walks up
# still lands inside the test's folder. (It once ran from tmp_path itself, as root, and a report
# written to ../../../../etc/passwd replaced the machine's /etc/passwd.)
DEPTH = 8

# what a person, a script with an unset variable, or an attacker may type
HOSTILE = [
    "",
    " ",
    "-",
    "\x00",
    "a\x00b",
    "\n",
    "x\nsecond line",
    "\x1b]52;c;aGk=\x07",
    "\u202e\u2066",
    "\udcff\udcfe",  # bytes that are not UTF-8, as Python decodes argv (surrogateescape)
    "caf\udce9",
    "9" * 10_000,
    "1" * 40,
    "18446744073709551616",
    "-1",
    "0",
    "1e309",
    "nan",
    "x" * 100_000,
    "../../../../etc/passwd",  # resolved from a cwd deep inside the test's own folder (quiet_world)
    # a folder nobody can create, not even root: a command that made missing folders (the SQLite
    # store does) must not litter the machine running the tests
    f"{UNCREATABLE}/deeper/out.html",
    "0001-01-01",
    "1970-01-01",
    "0001-01-01T00:00:00+08:00",
    "9999-12-31T23:59:59-05:00",
    "99999999999d",
    "999999999999999999999d",
    "%s%n{0}",
    "http://[::1",
    "https://user:pass@/",
    "sqlite:///:memory:",
    f"sqlite:///{UNCREATABLE}/r.db",
    "dynamodb://",
    "asia/shanghai",
    "ＵＴＣ",
    "٣",
]
# `make test` runs every option with one value of each family above (empty, controls, bidi,
# undecodable bytes, huge numbers, negatives, paths that climb or cannot be made, dates out of
# range, broken URLs and store URLs, zones in another case); `make fuzz` (VOICE_RECEIPTS_HOSTILE_ALL=1)
# runs every value: about 1,150 cases and a minute, where these take about 20 s
if not os.environ.get("VOICE_RECEIPTS_HOSTILE_ALL"):
    HOSTILE = [
        "",
        "\x00",
        "x\nsecond line",
        "\u202e\u2066",
        "caf\udce9",
        "9" * 10_000,
        "-1",
        "1e309",
        "../../../../etc/passwd",
        f"{UNCREATABLE}/deeper/out.html",
        "0001-01-01T00:00:00+08:00",
        "999999999999999999999d",
        "http://[::1",
        f"sqlite:///{UNCREATABLE}/r.db",
        "asia/shanghai",
        "٣",
    ]
# values for the arguments a command requires, so that the one under test is reached
BENIGN = {
    "--to": "+8613800138000",
    "--code": "1234",
    "--template": "123456",
    "paths": str(samples.EVENTS / "callbacks" / "01-voicecode-answered.json"),
}
ALLOWED = {  # exit statuses each command documents
    "show": {0, 1, 2},  # 1: no such call
    "replay": {0, 1, 2},  # 1: an item was not accepted
    "explain": {0, 1, 2},  # 1: a code nobody lists
    "send": {2, 3, 4, 5, 6, 7},  # docs/sending.md; 6: the closed VMS port below
}


def leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command path, its parser) for every command that runs."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for sub in subs:
        for name, child in sub.choices.items():
            yield from leaves(child, (*path, name))


def takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0 and not isinstance(action, (argparse._HelpAction, argparse._VersionAction))


def argv_for(path, parser, target: argparse.Action, value: str) -> list[str]:
    argv = list(path)
    for action in parser._actions:
        if action is target or not takes_value(action) or not action.required:
            continue
        argv += [
            *action.option_strings[:1],
            BENIGN.get(action.option_strings[0] if action.option_strings else action.dest, "x"),
        ]
    if target.option_strings:
        argv.append(f"{target.option_strings[-1]}={value}")  # `=`: a value starting with - is a value
    else:
        argv += ["--", value]
    return argv


CASES = [
    (path, argv_for(path, parser, action, value))
    for path, parser in leaves(cli.parser())
    for action in parser._actions
    if takes_value(action)
    for value in HOSTILE
]


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    """A store with receipts in it, so that show and report get past opening it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store')}/r.db"
    assert cli.main(["replay", str(samples.EVENTS / "callbacks"), "--store", url]) in (0, 1)
    return url


@pytest.fixture
def quiet_world(tmp_path, monkeypatch, store_url):
    deep = tmp_path.joinpath(*["d"] * DEPTH)
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    for name in [n for n in __import__("os").environ if n.startswith(("VOICE_RECEIPTS_", "TENCENTCLOUD_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("VOICE_RECEIPTS_STORE", store_url)
    # send: credentials that look right, and a VMS endpoint nobody listens on (loopback)
    monkeypatch.setenv("VOICE_RECEIPTS_VMS_APPID", "1400006666")
    monkeypatch.setenv("VOICE_RECEIPTS_VMS_ENDPOINT", "127.0.0.1:9")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDexample")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "example")
    monkeypatch.setenv("VOICE_RECEIPTS_TOKEN", "a-token-long-enough-for-serve-0123456789")
    # serve: a server that would start returns at once instead of serving forever
    monkeypatch.setattr(server_module.Server, "serve_forever", lambda self: None)


@pytest.mark.usefixtures("quiet_world")
@pytest.mark.parametrize(("path", "argv"), CASES, ids=[f"{' '.join(a)[:80]!r}" for _, a in CASES])
def test_every_argument_ends_in_one_line_and_a_documented_status(path, argv, capsys):
    try:
        status = cli.main(argv)
    except SystemExit as exc:  # argparse's refusals
        status = exc.code
    out, err = capsys.readouterr()
    assert status in ALLOWED.get(path[0], {0, 2}), (status, err)
    assert "Traceback" not in out + err
    if status == 2 or (path[0] == "send" and status != 0):  # 1 is a result, printed on stdout
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].strip(), err


def test_a_zone_in_another_case_just_works(capsys):
    from voice_receipts.tools.when import parse_zone

    assert parse_zone("asia/shanghai")[1] == "Asia/Shanghai"
    assert parse_zone("AMERICA/NEW_YORK")[1] == "America/New_York"
    assert parse_zone("utc")[1] == "UTC"


def test_no_hostile_path_can_climb_out_of_the_tests_folder():
    climbs = max(value.count("../") for value in HOSTILE)
    assert climbs < DEPTH
    assert all(not v.startswith("/") or v.startswith(UNCREATABLE) for v in HOSTILE)
