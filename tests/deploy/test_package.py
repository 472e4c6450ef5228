"""What the packages hold: the Lambda zip `osls package` builds (exactly the function and its AWS
dependencies, compiled for the function's Python and CPU, with bytecode that Python loads without
ever reading or compiling the sources), and the SCF folder `make tencent` builds.

The zip's wheels are for Lambda (python3.13, arm64), so this machine cannot import them. The
import test therefore builds the *same* package (same script, same requirements) for the local
interpreter, checks that it differs from the Lambda zip only in compiled-file names, unpacks it
into an empty folder, and answers a receipt from that folder alone (python -I -S: no venv, no
site-packages, no PYTHONPATH).
"""

from __future__ import annotations

import json
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.deploy.conftest import (
    ROOT,
    TABLE,
    find_python,
    offline_env,
    tencent_inputs,
    the_function,
)
from tests.helpers import tool_sources

pytestmark = pytest.mark.deploy

ARCH = {"arm64": "aarch64", "x86_64": "x86_64"}

FORBIDDEN_TOP = {"tests", "events", "node_modules", ".venv", "deploy", ".serverless", "boto3"}
FORBIDDEN_TOP |= {"botocore", "s3transfer", "bench", ".git", "package.json", "serverless.yml"}
# The Tencent SDK and what only it needs: dead weight in the Lambda zip
TENCENT_ONLY = {"tencentcloud", "requests", "urllib3", "charset_normalizer", "idna", "certifi"}
AWS_SDK = {"boto3", "botocore", "s3transfer"}


def extension_tag(template: dict) -> str:
    """The filename tag CPython gives compiled modules on the function's runtime and CPU."""
    props = the_function(template)
    version = props["Runtime"].removeprefix("python").replace(".", "")
    return f"cpython-{version}-{ARCH[props['Architectures'][0]]}-linux-gnu"


def test_zip_holds_the_function_and_its_aws_dependencies_only(packaged):
    names = packaged.names()
    top = {n.split("/", 1)[0] for n in names}
    assert "handler.py" in names and "voice_receipts/__init__.py" in names
    sources = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "voice_receipts").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    tools = {n for n in sources if n.split("/")[1] in tool_sources()}
    assert {
        "voice_receipts/tools/cli/__init__.py",
        "voice_receipts/tools/send.py",
        "voice_receipts/tools/report/page.py",
    } <= tools
    assert sources - tools <= set(names), "every module the function may import is packaged"
    assert not tools & set(names), "the terminal's tools stay out of the function"
    assert not top & FORBIDDEN_TOP
    assert not top & TENCENT_ONLY, "the Tencent SDK and its HTTP stack stay out of the Lambda zip"
    assert {"pydantic_core", "typing_extensions.py"} <= top
    assert "pydantic" not in top  # the function validates with pydantic-core alone
    assert_no_dependency_tests(names)


def assert_no_dependency_tests(names):
    third_party = [n for n in names if not n.startswith(("voice_receipts/", "handler.py"))]
    assert not [n for n in third_party if {"tests", "test"} & set(n.split("/")[:-1])]
    assert not [n for n in third_party if re.search(r"/(test_\w*|\w*_test|test_cases)\.py$", n)]
    assert not [n for n in third_party if n.endswith(".pyi")]


CHECK_PYC = """
import importlib.util, json, sys
from pathlib import Path
tree, bad = Path(sys.argv[1]), []
sources = [p for p in tree.rglob("*.py") if "__pycache__" not in p.parts]
for source in sources:
    # where this interpreter looks: importlib's own rule, so a wrong tag or folder fails
    cached = Path(importlib.util.cache_from_source(str(source)))
    if not cached.exists():
        bad.append(f"{source}: no {cached.name}")
        continue
    head = cached.read_bytes()[:16]
    flags = int.from_bytes(head[4:8], "little")
    if head[:4] != importlib.util.MAGIC_NUMBER:
        bad.append(f"{cached}: magic {head[:4].hex()}, not this Python's")
    elif flags != 0b01:  # bit 0 hash-based, bit 1 check_source: unchecked-hash is exactly 0b01
        bad.append(f"{cached}: flags {flags:#b}, not unchecked-hash")
    elif head[8:16] != importlib.util.source_hash(source.read_bytes()):
        bad.append(f"{cached}: compiled from another source")
print(json.dumps({"sources": len(sources), "bad": bad[:20]}))
"""


def check_pyc(python: str, tree: Path) -> None:
    proc = subprocess.run(
        [python, "-I", "-c", CHECK_PYC, str(tree)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    # > 30: the package's own modules and its dependencies', not an empty or half-built tree
    assert found["sources"] > 30 and found["bad"] == [], found["bad"]


def test_zip_carries_unchecked_hash_bytecode_of_the_runtime_python(packaged, tmp_path):
    runtime = the_function(packaged.template)["Runtime"].removeprefix("python")
    python = find_python(runtime)
    if python is None:  # the build then ships no .pyc, loudly: the test below covers that
        pytest.skip(f"no Python {runtime} on this machine")
    with zipfile.ZipFile(packaged.zip) as zf:
        zf.extractall(tmp_path)
    check_pyc(python, tmp_path)


def test_build_without_the_runtime_python_says_so_and_ships_no_bytecode(tmp_path):
    if any(Path(d, "python3.13").exists() for d in ("/usr/bin", "/bin")):
        pytest.skip("this machine has a system python3.13")
    # PATH without pyenv's shims and an empty PYENV_ROOT: no Python 3.13 to be found
    env = offline_env(PATH="/usr/bin:/bin", PYENV_ROOT=str(tmp_path / "no-pyenv"))
    proc = subprocess.run(
        [sys.executable, str(BUILD), "--out", str(tmp_path / "f.zip"), "--python", "3.13"]
        + ["--arch", "arm64"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "NO BYTECODE: no Python 3.13 found" in proc.stderr
    assert proc.stdout.rstrip().endswith("NO BYTECODE")
    with zipfile.ZipFile(tmp_path / "f.zip") as zf:
        assert not [n for n in zf.namelist() if n.endswith(".pyc")]


def test_compiled_wheels_match_the_runtime_python_and_cpu(packaged):
    tag = extension_tag(packaged.template)  # e.g. cpython-313-aarch64-linux-gnu
    names = packaged.names()
    compiled = [n for n in names if n.endswith(".so")]
    assert f"pydantic_core/_pydantic_core.{tag}.so" in compiled
    assert all(n.endswith(f".{tag}.so") for n in compiled), compiled
    cp = "cp" + tag.split("-")[1]
    arch = tag.split("-")[2]
    with zipfile.ZipFile(packaged.zip) as zf:
        for name in (n for n in names if n.endswith(".dist-info/WHEEL")):
            tags = re.findall(r"^Tag: (\S+)", zf.read(name).decode(), re.M)
            for wheel_tag in tags:
                python, abi, plat = wheel_tag.split("-")
                assert plat == "any" or (
                    python == cp and plat.startswith("manylinux") and plat.endswith(arch)
                ), f"{name}: {wheel_tag}"


def test_package_size_fits_lambda(packaged, record_property):
    with zipfile.ZipFile(packaged.zip) as zf:
        unzipped = sum(i.file_size for i in zf.infolist())
    zipped = packaged.zip.stat().st_size
    record_property("zipped_bytes", zipped)
    record_property("unzipped_bytes", unzipped)
    print(f"\npackage: {zipped / 1e6:.1f} MB zipped, {unzipped / 1e6:.1f} MB unzipped")
    # Lambda's limits are 50 MB zipped (direct upload) and 250 MB unzipped; stay far below
    assert zipped < 10e6 and unzipped < 40e6


BUILD = ROOT / "deploy" / "build_package.py"


def build(out: Path, version: str, *extra: str) -> None:
    """deploy/build_package.py for this CPU and the given Python version."""
    subprocess.run(
        [
            sys.executable,
            str(BUILD),
            "--out",
            str(out),
            "--python",
            version,
            "--arch",
            platform.machine(),
            "--glibc",
            "2.17",
            *extra,
        ],
        check=True,
        capture_output=True,
        env=offline_env(),
        timeout=300,
    )


@pytest.fixture(scope="module")
def local_twin(packaged, tmp_path_factory) -> tuple[str, Path]:
    """(python, folder): the same package for this CPU, unpacked into an empty folder."""
    out = tmp_path_factory.mktemp("twin")
    zip_path = out / "twin.zip"
    runtime = the_function(packaged.template)["Runtime"].removeprefix("python")
    python = find_python(runtime) or sys.executable  # Lambda's Python version when we have it
    version = runtime if python != sys.executable else f"{sys.version_info.major}.{sys.version_info.minor}"
    build(zip_path, version)
    lambda_tag = extension_tag(packaged.template)
    local_tag = f"cpython-{version.replace('.', '')}-{platform.machine()}-linux-gnu"
    lambda_pyc = "." + lambda_tag.split("-")[0] + "-" + lambda_tag.split("-")[1] + ".pyc"
    local_pyc = "." + local_tag.split("-")[0] + "-" + local_tag.split("-")[1] + ".pyc"
    with zipfile.ZipFile(zip_path) as zf:
        twin = {n.replace(local_tag, lambda_tag).replace(local_pyc, lambda_pyc) for n in zf.namelist()}
        # RECORD and WHEEL name the wheel's own tags; everything else must be the same files
        assert {n for n in twin if not n.endswith(("RECORD", "WHEEL"))} == {
            n for n in packaged.names() if not n.endswith(("RECORD", "WHEEL"))
        }
        unpacked = out / "package"
        zf.extractall(unpacked)
    return python, unpacked


ANSWER_ONE_RECEIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import handler
# the function loads pydantic-core's compiled extension alone, not its Python layer (schemas.py)
lean = sorted(m for m in sys.modules if m.startswith(("pydantic", "typing_extensions")))
import pydantic_core
assert pydantic_core.__file__.startswith(sys.argv[1]), pydantic_core.__file__
# a SQLite-store function never pays for an SDK
assert not {"boto3", "botocore", "tencentcloud"} & {m.split(".")[0] for m in sys.modules}
body = {"voicecode_callback": {"result": "0", "accept_time": "1470196835",
        "call_from": "075583763333", "callid": "c1", "end_calltime": "1470196843", "fee": "1",
        "mobile": "13800138000", "nationcode": "86", "start_calltime": "1470196821"}}
event = {"version": "2.0", "rawPath": "/voice/callback", "rawQueryString": "token=t0k-0123456789abcdef",
         "headers": {"content-type": "application/json"}, "isBase64Encoded": False,
         "requestContext": {"http": {"method": "POST", "path": "/voice/callback",
                                     "sourceIp": "203.0.113.9"}},
         "body": json.dumps(body)}
reply = handler.lambda_handler(event, None)
# VmHWM: this process image's peak RSS (ru_maxrss would count the forking parent's)
with open("/proc/self/status") as f:
    hwm_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
print(json.dumps({"reply": reply, "maxrss_mb": hwm_kb / 1024, "lean": lean}))
"""


def answer_one_receipt(python: str, folder: Path, tmp_path: Path, store: str | None = None) -> dict:
    proc = subprocess.run(
        # -I: no PYTHONPATH, no user site, no cwd on sys.path; -S: no site-packages at all;
        # -B: nothing written, as in Lambda's read-only /var/task and on SCF
        [python, "-I", "-S", "-B", "-c", ANSWER_ONE_RECEIPT, str(folder)],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "AWS_LAMBDA_FUNCTION_NAME": "voice-receipts-test-receive",  # init as on Lambda
            "VOICE_RECEIPTS_STORE": store or f"sqlite:///{tmp_path}/receipts.db",
            "VOICE_RECEIPTS_TOKEN": "t0k-0123456789abcdef",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_unpacked_package_alone_answers_a_receipt(local_twin, tmp_path):
    python, folder = local_twin
    out = answer_one_receipt(python, folder, tmp_path)
    reply = out["reply"]
    assert reply["statusCode"] == 200
    assert json.loads(reply["body"]) == {"result": 0, "errmsg": "OK"}
    assert out["lean"] == ["pydantic_core._pydantic_core"]
    print(f"\n{python}: import + one receipt, max RSS {out['maxrss_mb']:.0f} MB")
    assert out["maxrss_mb"] < 100  # leaves room in 128 MB for the runtime and boto3's clients


def test_unpacked_package_runs_from_its_bytecode_alone(local_twin, tmp_path):
    """Every source replaced by a line that fails: the receipt is still answered only if every
    module comes from its .pyc, unchecked, as the build wrote it (no compile on a cold start)."""
    python, folder = local_twin
    copy = tmp_path / "package"
    shutil.copytree(folder, copy)
    sources = [p for p in copy.rglob("*.py") if "__pycache__" not in p.parts]
    for source in sources:
        source.write_text("raise ImportError('compiled from source: no usable .pyc')\n")
    out = answer_one_receipt(python, copy, tmp_path)
    assert out["reply"]["statusCode"] == 200 and len(sources) > 30


# --- Tencent SCF: deploy/tencent/mysql/serverless.yml ---------------------------------------------


def test_tencent_package_alone_answers_a_receipt_on_scf_python(tmp_path):
    version = tencent_inputs()["runtime"].removeprefix("Python")
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine to run the SCF package with")
    folder = tmp_path / "scf"
    build(folder, version, "--unzipped", "--cloud", "tencent")
    top = {p.name for p in folder.iterdir()}
    assert {"tencentcloud", "pydantic_core", "handler.py"} <= top
    assert not top & AWS_SDK, "SCF needs no AWS SDK"
    assert not (folder / "tencentcloud" / "cls").exists(), "the CLS SDK is the tools' (alarms apply)"
    assert not (folder / "tencentcloud" / "vms").exists(), "and so is the VMS SDK (send)"
    assert_no_dependency_tests([p.relative_to(folder).as_posix() for p in folder.rglob("*")])
    check_pyc(python, folder)  # SCF sets PYTHONDONTWRITEBYTECODE: only shipped bytecode helps
    out = answer_one_receipt(python, folder, tmp_path)
    assert out["reply"]["statusCode"] == 200
    assert out["lean"] == ["pydantic_core._pydantic_core"]


INIT_WITH_DYNAMODB = """
import sys
sys.path.insert(0, sys.argv[1])
sys.path.append(sys.argv[2])  # boto3 last, as Lambda's runtime puts its own after the package
import handler  # on Lambda, init builds the DynamoDB client (handler.py)
import botocore
assert botocore.__file__.startswith(sys.argv[2])
loaded = {m.split(".")[0] for m in sys.modules}
assert not {"boto3", "tencentcloud", "requests"} & loaded, loaded  # botocore's client only
with open("/proc/self/status") as f:
    print(next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024)
"""


def test_init_with_the_runtimes_boto3_fits_in_128_mb(local_twin, tmp_path):
    python, folder = local_twin
    purelib = sysconfig.get_paths()["purelib"]  # this venv's boto3: pure Python, any 3.x
    proc = subprocess.run(
        [python, "-I", "-S", "-c", INIT_WITH_DYNAMODB, str(folder), purelib],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "AWS_LAMBDA_FUNCTION_NAME": "voice-receipts-test-receive",
            "VOICE_RECEIPTS_STORE": f"dynamodb://{TABLE}",
            "VOICE_RECEIPTS_TOKEN": "t0k-0123456789abcdef",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/dev/null",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    peak_mb = float(proc.stdout.strip().splitlines()[-1])
    print(f"\n{python}: init with a DynamoDB client, max RSS {peak_mb:.0f} MB")
    assert peak_mb < 96  # 128 MB holds the function with room for requests in flight
