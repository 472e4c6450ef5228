"""The module tables of docs/architecture.md name every module of the tree, once, and nothing that is not there."""

import re

from tests.helpers import ROOT

PACKAGE = ROOT / "voice_receipts"


def _tables() -> dict[str, list[str]]:
    """table heading's folder -> the names its first column lists, in order."""
    found: dict[str, list[str]] = {}
    heading = None
    for line in (ROOT / "docs" / "architecture.md").read_text().splitlines():
        match = re.match(r"\| the (?:function|tools) \(`(voice_receipts/(?:tools/)?)`\)", line)
        if match:
            heading = match.group(1)
            found[heading] = []
        elif heading and line.startswith("|") and not line.startswith("| ---"):
            first = line.split("|")[1]
            found[heading].extend(n for n in re.findall(r"`([^`]+)`", first) if n != "handler.py")
        elif heading and not line.startswith("|"):
            heading = None
    return found


def _tree(folder, skip=()) -> set[str]:
    names = set()
    for path in folder.iterdir():
        if path.name in skip or path.name.startswith(("__pycache__", ".")):
            continue
        if path.is_dir():
            names.add(path.name + "/")
        elif path.suffix == ".py":
            names.add(path.name)
    return names


def test_the_function_table_names_every_module_of_the_function_once():
    listed = set(_tables()["voice_receipts/"])
    assert listed == _tree(PACKAGE, skip=("tools",)), "update the function table in docs/architecture.md"


def test_the_tools_table_names_every_module_of_the_tools_once():
    listed = set(_tables()["voice_receipts/tools/"])
    assert listed == _tree(PACKAGE / "tools", skip=("__init__.py",)), (
        "update the tools table in docs/architecture.md"
    )


def test_each_name_is_in_one_row_only():
    for folder, names in _tables().items():
        assert len(names) == len(set(names)), f"{folder}: {sorted(n for n in names if names.count(n) > 1)}"
