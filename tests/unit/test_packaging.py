"""The library's ranges (pyproject.toml) and a deployment's exact pins (requirements-*.txt) agree:
every pinned package a range names is pinned inside that range."""

import re

import tomllib
from packaging.requirements import Requirement

from tests.helpers import ROOT


def pins() -> dict[str, str]:
    found = {}
    for path in ROOT.glob("requirements*.txt"):
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            match = re.fullmatch(r"([A-Za-z0-9_.\-\[\],]+)==([^\s;]+)", line)
            if match:
                found[Requirement(match.group(1)).name.lower().replace("_", "-")] = match.group(2)
    return found


def ranges() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        listed += extra
    return [Requirement(r) for r in listed]


def test_every_pin_is_inside_the_librarys_range():
    pinned = pins()
    checked = 0
    for requirement in ranges():
        name = requirement.name.lower().replace("_", "-")
        if name in pinned:
            assert requirement.specifier.contains(pinned[name]), f"{name}=={pinned[name]} vs {requirement}"
            checked += 1
    assert checked >= 8  # the ranges name the pinned packages, not others


def test_every_store_and_tool_has_an_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {"aws", "tencent", "mysql", "postgresql", "serve", "send", "report", "alarms"} <= set(
        project["optional-dependencies"]
    )
    assert project["scripts"]["voice-receipts"] == "voice_receipts.tools.cli:run"
