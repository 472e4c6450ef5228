"""Bytecode for the function package, compiled by the interpreter the cloud will run.

Lambda unpacks the zip into a read-only /var/task and SCF sets PYTHONDONTWRITEBYTECODE, so a
package without .pyc compiles every module from source on every cold start (about 150 ms for
pydantic and the project on this repo's test machine). The .pyc must come from the *target*
Python (its magic number and cache tag, e.g. cpython-313), and be written in unchecked-hash mode:
its header then holds a hash of the source instead of the source's mtime and size, and the loader
never compares either, so the 1980-2107 dates zip and unzip give the .py files cannot invalidate it.

Used by build_package.py, and by tests/deploy to find the interpreters it runs the package with.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# Run by the target interpreter. stripdir makes the recorded file names relative to the package
# (the import system rewrites them to the real path when it loads a .pyc), so the bytes do not
# depend on the temp folder the build ran in.
_COMPILE = """
import compileall, py_compile, sys
ok = compileall.compile_dir(
    sys.argv[1], quiet=1, stripdir=sys.argv[1], workers=1,
    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
)
print(sys.implementation.cache_tag)
sys.exit(0 if ok else 1)
"""


def _version_of(exe: str) -> str | None:
    try:
        probe = subprocess.run(  # noqa: S603 - a path we found ourselves, fixed arguments
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return probe.stdout.strip() if probe.returncode == 0 else None


def candidates(version: str) -> list[str]:
    """Where an interpreter of `version` may live here: PATH, pyenv's versions, then uv's."""
    found = [shutil.which(f"python{version}")]
    found.append(sys.executable if "{}.{}".format(*sys.version_info[:2]) == version else None)
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found += sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/python{version}"))
    uv = shutil.which("uv")
    if uv:  # only interpreters uv already has: never a download in the middle of a build
        try:
            probe = subprocess.run(  # noqa: S603
                [uv, "python", "find", "--no-python-downloads", version],
                capture_output=True,
                text=True,
                timeout=30,
            )
            found.append(probe.stdout.strip() if probe.returncode == 0 else None)
        except (OSError, subprocess.TimeoutExpired):
            pass
    return [exe for exe in found if exe]


def find_python(version: str) -> str | None:
    """An interpreter that really is `version` ("3.13"), or None.

    Each candidate is run, because a pyenv shim exists for every installed version but fails
    when that version is not the active one."""
    for exe in candidates(version):
        if _version_of(exe) == version:
            return exe
    return None


def compile_tree(tree: Path, python: str) -> str:
    """Write __pycache__/NAME.TAG.pyc beside every .py under `tree`; returns the cache tag.

    PYTHONHASHSEED=0: marshal writes set and frozenset constants in iteration order, which
    follows the string hash seed, and an unchanged tree must give a byte-identical zip."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    done = subprocess.run(  # noqa: S603 - our own argv, no shell
        [python, "-I", "-c", _COMPILE, str(tree)], capture_output=True, text=True, env=env, timeout=600
    )
    if done.returncode != 0:
        raise SystemExit(f"compiling the package with {python} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def warn_no_bytecode(version: str) -> None:
    """Loud on purpose: the package still works, but every cold start pays for the compiler."""
    bar = "!" * 78
    print(
        f"\n{bar}\n"
        f"!! NO BYTECODE: no Python {version} found on this machine (PATH, ~/.pyenv/versions, uv).\n"
        f"!! The package is built WITHOUT .pyc: every cold start compiles pydantic and the\n"
        f"!! project from source (1.4 to 1.7x the start-up time, docs/cold-start.md).\n"
        f"!! Fix: install Python {version} (`pyenv install {version}` or `uv python install "
        f"{version}`)\n"
        f"!! and build again.\n{bar}\n",
        file=sys.stderr,
        flush=True,
    )
