"""The house rules a newcomer relies on, checked: imports flow one way, modules stay small."""

import ast
from pathlib import Path

from tests.helpers import ROOT, tool_sources

PACKAGE = ROOT / "voice_receipts"
# What only a person at a terminal uses: the function's path must never import these. The same
# definition the package build leaves out (deploy/build_package.py's TOOL_SOURCES): one folder.
TOOLS = tuple("voice_receipts." + name.removesuffix(".py") for name in tool_sources())
MAX_LINES = 260


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("voice_receipts"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("voice_receipts"))
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: {d for d in imports_of(p) if d in MODULES and d != name} for name, p in MODULES.items()}


def test_the_import_graph_has_no_cycles():
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for dep in GRAPH[name]:
            assert state.get(dep) != "open", " -> ".join([*path, name, dep])
            if dep not in state:
                visit(dep, [*path, name])
        state[name] = "done"

    for name in GRAPH:
        if name not in state:
            visit(name, [])


def test_nothing_below_the_command_line_imports_it():
    for name, deps in GRAPH.items():
        if name.startswith(TOOLS) or name == "voice_receipts.__main__":
            continue
        upward = sorted(d for d in deps if d.startswith(TOOLS))
        assert not upward, f"{name} imports {upward}"


def test_modules_stay_small():
    for name, path in MODULES.items():
        assert len(path.read_text().splitlines()) <= MAX_LINES, f"{name}: split it"


def test_the_function_package_leaves_out_only_what_the_function_never_imports():
    left_out = {"voice_receipts." + name.removesuffix(".py") for name in tool_sources()}
    shipped = {n for n in MODULES if not any(n == t or n.startswith(t + ".") for t in left_out)}
    for name in shipped:
        missing = sorted(d for d in GRAPH[name] if any(d == t or d.startswith(t + ".") for t in left_out))
        assert not missing, f"{name} is shipped but imports {missing}, which the package leaves out"
