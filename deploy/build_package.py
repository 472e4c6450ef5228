#!/usr/bin/env python3
"""Build the function's deployment zip: handler.py, voice_receipts/ and one cloud's dependencies.

Dependencies are installed with pip's cross-platform options (--platform/--python-version/
--implementation/--only-binary), so compiled wheels (pydantic-core) match the *function's* Python
and CPU, whatever Python and CPU this machine has. Each cloud gets only what runs there
(requirements-aws.txt or requirements-tencent.txt; Lambda's own boto3 is left out), without the
dependencies' tests and type stubs, and with bytecode compiled by the function's Python version
(bytecode.py; a loud warning, and no .pyc, when this machine has no such interpreter). The zip is
reproducible: sorted entries, fixed timestamps and modes, so an unchanged tree gives a
byte-identical zip (and no needless deploy).

    python deploy/build_package.py --out .serverless/voice-receipts.zip --python 3.13 --arch arm64
    python deploy/build_package.py --cloud tencent --unzipped --out deploy/tencent/build \
        --python 3.10 --arch x86_64
    python deploy/build_package.py --cloud tencent --store mysql ...   # + PyMySQL (TDSQL-C)

Used by deploy/plugins/python-package.js (on `osls package` / `osls deploy`), by `make tencent`
and the Tencent steps in docs/deploy.md (`--cloud tencent --unzipped`: the folder `scf deploy`
uploads), by `make bench`, and by the tests, which also build it for the local interpreter to run
the handler from the package alone.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import bytecode

ROOT = Path(__file__).resolve().parent.parent
# What the function needs of this repo; everything else (tests, events, deploy, docs) stays out.
SOURCES = ("handler.py", "voice_receipts")
# What only a person at a terminal runs (python -m voice_receipts ...): not shipped to a function.
# tests/unit/test_architecture.py proves nothing the function imports is among them.
# The folder voice_receipts/tools/ is what runs on a person's machine; __main__.py starts it.
TOOL_SOURCES = ("__main__.py", "tools")
# AWS Lambda's Python runtimes ship boto3/botocore (30 of the 44 MB unpacked); see docs/deploy.md.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
ARCHES = {"arm64": "aarch64", "aarch64": "aarch64", "x86_64": "x86_64", "amd64": "x86_64"}
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip cannot store dates before 1980; any constant works
CLOUDS = ("aws", "tencent")
# A SQL store's driver, added to the cloud's requirements (requirements-STORE.txt): a function
# ships only the driver of the store it is configured for
SQL_STORES = ("mysql", "postgresql")
# ... and then the cloud's own store SDK stays out: a function on a SQL store never imports it
# (tests/functional/test_lean_import.py). Lambda's boto3 is left out anyway (RUNTIME_PROVIDED).
CLOUD_STORE_SDKS = {"aws": (), "tencent": ("tencentcloud-sdk-python-common", "tencentcloud-sdk-python-tdmq")}
# In the dependencies only (never voice_receipts/): their own test suites, and files that only
# type checkers read. None of them is imported by a running function.
DEPENDENCY_TEST_DIRS = {"tests", "test"}
DEPENDENCY_DEAD_FILES = re.compile(r"(test_.*|.*_test|test_cases|conftest)\.py|.*\.pyi|mypy\.py")


def requirement_name(line: str) -> str:
    return re.split(r"[\s<>=!~;\[@]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")


def filtered_requirements(sources: Path | list[Path], exclude: tuple[str, ...], dest: Path) -> Path:
    keep = [
        line
        for source in ([sources] if isinstance(sources, Path) else sources)
        for line in source.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#") and requirement_name(line) not in exclude
    ]
    dest.write_text("\n".join(keep) + "\n")
    return dest


def platforms(arch: str, glibc: str) -> list[str]:
    """pip expands only the legacy manylinux2014 tag to older ones, so name every level we accept."""
    major, minor = (int(n) for n in glibc.split("."))
    cpu = ARCHES[arch]
    tags = [f"manylinux_{major}_{m}_{cpu}" for m in range(minor, 16, -1)]
    return tags + [f"manylinux2014_{cpu}"]


def pip_install(requirements: Path, target: Path, python: str, arch: str, glibc: str) -> None:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(target),
        "--implementation",
        "cp",
        "--python-version",
        python,
        *(arg for tag in platforms(arch, glibc) for arg in ("--platform", tag)),
        "--only-binary=:all:",  # an sdist would be built for *this* machine: refuse it
        "-r",
        str(requirements),
    ]
    subprocess.run(cmd, check=True)  # noqa: S603 - our own argv, no shell


def prune_dependencies(tree: Path) -> list[str]:
    """Delete the dependencies' tests and type-checker files; returns what went, for the log."""
    gone = []
    for dirpath, dirnames, filenames in os.walk(tree):
        for d in [d for d in dirnames if d in DEPENDENCY_TEST_DIRS]:
            shutil.rmtree(Path(dirpath) / d)
            dirnames.remove(d)
            gone.append(f"{Path(dirpath, d).relative_to(tree)}/")
        for f in filenames:
            if DEPENDENCY_DEAD_FILES.fullmatch(f):
                (Path(dirpath) / f).unlink()
                gone.append(str(Path(dirpath, f).relative_to(tree)))
    return sorted(gone)


def copy_sources(dest: Path) -> None:
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            skip = (
                ("__pycache__", "*.pyc", *TOOL_SOURCES)
                if name == "voice_receipts"
                else ("__pycache__", "*.pyc")
            )
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns(*skip))
        else:
            shutil.copy2(src, dest / name)


def files_of(tree: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = sorted(d for d in dirnames if d != "bin")
        out += [Path(dirpath) / f for f in sorted(filenames)]
    return out


def write_zip(tree: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files_of(tree):
            info = zipfile.ZipInfo(path.relative_to(tree).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            executable = path.suffix == ".so" or os.access(path, os.X_OK)
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(out)


def build(
    out: Path,
    python: str,
    arch: str,
    glibc: str,
    requirements: Path | list[Path],
    exclude: tuple[str, ...],
    unzipped: bool,
    compile_with: str | None,
) -> Path:
    with tempfile.TemporaryDirectory(prefix="voice-receipts-pkg-") as tmp:
        tree = Path(tmp) / "package"
        tree.mkdir()
        reqs = filtered_requirements(requirements, exclude, Path(tmp) / "requirements.txt")
        pip_install(reqs, tree, python, arch, glibc)
        gone = prune_dependencies(tree)
        print(f"left out of the dependencies: {', '.join(gone) or 'nothing'}")
        copy_sources(tree)
        if compile_with:
            bytecode.compile_tree(tree, compile_with)
        if unzipped:
            if out.exists():
                shutil.rmtree(out)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(tree, out, ignore=shutil.ignore_patterns("bin"))
        else:
            write_zip(tree, out)
    return out


def size_of(out: Path) -> str:
    if out.is_dir():
        unpacked = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        return f"{unpacked / 1e6:.1f} MB"
    with zipfile.ZipFile(out) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    return f"{out.stat().st_size / 1e6:.1f} MB zipped, {unpacked / 1e6:.1f} MB unzipped"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, type=Path, help="zip to write (a folder with --unzipped)")
    p.add_argument("--python", required=True, help="the function's Python version, e.g. 3.13")
    p.add_argument("--arch", required=True, choices=sorted(ARCHES), help="the function's CPU")
    p.add_argument(
        "--glibc",
        default="2.17",
        help="the runtime's glibc: wheels for it or older are accepted (2.17 = manylinux2014)",
    )
    p.add_argument("--cloud", choices=CLOUDS, default="aws", help="whose SDK to ship (default aws: Lambda)")
    p.add_argument(
        "--requirements", type=Path, help="default: requirements-CLOUD.txt at the repository's root"
    )
    p.add_argument(
        "--store",
        choices=SQL_STORES,
        help="also ship this SQL store's driver (requirements-STORE.txt); default: none",
    )
    p.add_argument(
        "--bundle-boto3",
        action="store_true",
        help="also ship boto3/botocore instead of using the Lambda runtime's",
    )
    p.add_argument("--unzipped", action="store_true", help="write a folder instead of a zip")
    p.add_argument(
        "--no-bytecode",
        action="store_true",
        help="ship no .pyc (only to measure what bytecode is worth; never for a deploy)",
    )
    args = p.parse_args(argv)
    requirements = [args.requirements or ROOT / f"requirements-{args.cloud}.txt"]
    if args.store:
        requirements.append(ROOT / f"requirements-{args.store}.txt")
    exclude = () if args.bundle_boto3 else RUNTIME_PROVIDED
    if args.store:
        exclude += CLOUD_STORE_SDKS[args.cloud]
    compile_with = None if args.no_bytecode else bytecode.find_python(args.python)
    if compile_with is None and not args.no_bytecode:
        bytecode.warn_no_bytecode(args.python)
    out = build(
        args.out.resolve(),
        args.python,
        args.arch,
        args.glibc,
        requirements,
        exclude,
        args.unzipped,
        compile_with,
    )
    compiled = f"bytecode by {compile_with}" if compile_with else "NO BYTECODE"
    store = f" with the {args.store} driver" if args.store else ""
    print(
        f"built {out} ({size_of(out)}) for {args.cloud}{store}, Python {args.python} {args.arch}; {compiled}"
    )
    if compile_with is None and not args.no_bytecode:
        bytecode.warn_no_bytecode(args.python)  # again, last: the build's final lines get read
    return 0


if __name__ == "__main__":
    sys.exit(main())
