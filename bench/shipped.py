"""The package as the clouds run it, laid out for the cold-start bench, and the packages' sizes.

- `build_local(dest)`: deploy/build_package.py --unzipped for this machine's Python and CPU (the
  same script, requirements and bytecode step as the Lambda zip; only the wheels' tags differ),
  beside a "runtime" folder holding botocore and its dependencies copied from this venv and
  compiled, as Lambda's runtime has them (/var/runtime: boto3, botocore and their dependencies,
  with their .pyc). cold_child.py's `shipped` variant runs with `python -B` (nothing may be
  written, as in /var/task), the package first on sys.path, the runtime folder after it and no
  site-packages at all.
- `sizes()`: the AWS zip as `osls package` builds it (python3.13 arm64), and the SCF folder as
  `make tencent` builds it, each in a temp dir.
"""

from __future__ import annotations

import compileall
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "deploy" / "build_package.py"
# What Lambda's Python runtime carries in /var/runtime besides the bootstrap (boto3 and its
# dependency tree); the floor and Powertools import the same modules from this venv.
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")


def run_build(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BUILD), *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise SystemExit(f"build_package.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    if "NO BYTECODE" in done.stdout + done.stderr:
        print(done.stderr, file=sys.stderr)  # pass the build's own loud warning on
    return done.stdout.strip().splitlines()[-1]


def build_local(dest: Path, store: str | None = None) -> tuple[Path, Path]:
    """(package, runtime) folders under dest, for this interpreter and CPU; `store` (mysql,
    postgresql) adds that SQL store's driver, as build_package.py --store does."""
    package, runtime = dest / "package", dest / "runtime"
    version = "{}.{}".format(*sys.version_info[:2])
    extra = ("--store", store) if store else ()
    run_build("--unzipped", "--out", str(package), "--python", version, "--arch", platform.machine(), *extra)
    purelib = Path(sysconfig.get_paths()["purelib"])
    runtime.mkdir(parents=True)
    for name in RUNTIME_MODULES:
        src = purelib / name
        if src.is_dir():
            shutil.copytree(src, runtime / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, runtime / name)
    # timestamp .pyc, as an image built with pip has them; the folder is never written again
    if not compileall.compile_dir(str(runtime), quiet=2, workers=0):
        raise SystemExit(f"could not compile {runtime}")
    return package, runtime


def _serverless(key: str, default: str) -> str:
    found = re.search(rf"^\s*{key}:\s*\"?([\w.]+)", (ROOT / "serverless.yml").read_text(), re.M)
    return found[1] if found else default


def sizes() -> dict[str, str]:
    """{'aws': 'Z MB zipped / U MB unzipped', 'tencent': 'U MB unzipped', 'source': ...}."""
    runtime = _serverless("runtime", "python3.13").removeprefix("python")
    arch, glibc = _serverless("architecture", "arm64"), _serverless("glibc", "2.17")
    with tempfile.TemporaryDirectory(prefix="voice-receipts-size-") as tmp:
        zip_path = Path(tmp) / "voice-receipts.zip"
        built = run_build("--out", str(zip_path), "--python", runtime, "--arch", arch, "--glibc", glibc)
        with zipfile.ZipFile(zip_path) as zf:
            unzipped = sum(i.file_size for i in zf.infolist())
            pyc = sum(1 for n in zf.namelist() if n.endswith(".pyc"))
        aws = f"{zip_path.stat().st_size / 1e6:.2f} MB / {unzipped / 1e6:.1f} MB ({pyc} .pyc)"
        scf = Path(tmp) / "scf"
        run_build(
            "--cloud", "tencent", "--unzipped", "--out", str(scf), "--python", "3.10", "--arch", "x86_64"
        )
        files = [f for f in scf.rglob("*") if f.is_file()]
        tencent = f"{sum(f.stat().st_size for f in files) / 1e6:.1f} MB unzipped"
        tops = sorted({p.name for p in scf.iterdir()})
        has_aws_sdk = any(name in tops for name in ("boto3", "botocore"))
    return {
        "aws": aws,
        "tencent": tencent + (" (with an AWS SDK!)" if has_aws_sdk else ", no AWS SDK"),
        "source": built.split(";", 1)[-1].strip(),
    }
