"""What `osls package` builds: a template cfn-lint accepts, saying what we mean, and a zip that
holds exactly the function and its AWS dependencies, compiled for the function's Python and CPU,
with bytecode its Python loads without ever reading (or compiling) the sources.

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

from tests.deploy.conftest import ROOT, find_python, offline_env

pytestmark = pytest.mark.deploy

ARCH = {"arm64": "aarch64", "x86_64": "x86_64"}
FORBIDDEN_TOP = {"tests", "events", "node_modules", ".venv", "deploy", ".serverless", "boto3"}
FORBIDDEN_TOP |= {"botocore", "s3transfer", "bench", ".git", "package.json", "serverless.yml"}
# The Tencent SDK and what only it needs: dead weight in the Lambda zip
TENCENT_ONLY = {"tencentcloud", "requests", "urllib3", "charset_normalizer", "idna", "certifi"}
AWS_SDK = {"boto3", "botocore", "s3transfer"}
# W3005: osls adds a DependsOn that a Ref already implies, on its own generated HTTP API route.
CFN_LINT_IGNORED = "W3005"
TABLE = "voice-receipts-test-receipts"
TEST_TOKEN = "test-token-not-a-secret"  # params.test.token in serverless.yml


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def the_function(template: dict) -> dict:
    (function,) = resources(template, "AWS::Lambda::Function").values()
    return function["Properties"]


def store_statements(template: dict) -> list[dict]:
    """The role's statements that are not CloudWatch Logs (which osls scopes to the log group)."""
    role = template["Resources"]["IamRoleLambdaExecution"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    return [s for s in statements if not all(a.startswith("logs:") for a in s["Action"])]


def extension_tag(template: dict) -> str:
    """The filename tag CPython gives compiled modules on the function's runtime and CPU."""
    props = the_function(template)
    version = props["Runtime"].removeprefix("python").replace(".", "")
    return f"cpython-{version}-{ARCH[props['Architectures'][0]]}-linux-gnu"


@pytest.mark.parametrize("variant", ["packaged", "packaged_sqs", "packaged_snapstart"])
def test_cfn_lint_accepts_the_template(variant, request):
    package = request.getfixturevalue(variant)
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--ignore-checks",
            CFN_LINT_IGNORED,
            "--",
            str(package.dir / "cloudformation-template-update-stack.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr  # warnings fail too


def test_function_runtime_memory_and_route(packaged):
    t = packaged.template
    props = the_function(t)
    assert props["Handler"] == "handler.lambda_handler"
    assert re.fullmatch(r"python3\.1[2-9]", props["Runtime"])
    assert props["Architectures"] == ["arm64"]
    assert (props["MemorySize"], props["Timeout"]) == (128, 10)
    assert props["FunctionName"] == "voice-receipts-test-receive"  # stage-aware names
    (route,) = resources(t, "AWS::ApiGatewayV2::Route").values()
    assert route["Properties"]["RouteKey"] == "POST /voice/callback"
    (integration,) = resources(t, "AWS::ApiGatewayV2::Integration").values()
    assert integration["Properties"]["PayloadFormatVersion"] == "2.0"
    url = json.dumps(t["Outputs"]["CallbackUrl"]["Value"])
    assert "/voice/callback?token=" + TEST_TOKEN in url and "ApiEndpoint" in url


def test_environment_names_the_table_and_token(packaged):
    env = the_function(packaged.template)["Environment"]["Variables"]
    assert env["VOICE_RECEIPTS_STORE"] == f"dynamodb://{TABLE}"
    assert env["VOICE_RECEIPTS_TOKEN"] == TEST_TOKEN
    assert int(env["VOICE_RECEIPTS_RETENTION_DAYS"]) > 0
    # a bare callback from a non-proxy integration must not count as an IAM-authorised invocation
    assert env["VOICE_RECEIPTS_DIRECT_INVOCATION"] == "false"
    assert set(env) <= {
        "VOICE_RECEIPTS_STORE",
        "VOICE_RECEIPTS_TOKEN",
        "VOICE_RECEIPTS_DIRECT_INVOCATION",
        "VOICE_RECEIPTS_RETENTION_DAYS",
        "VOICE_RECEIPTS_ALLOWED_CIDRS",
    }


def test_table_keys_index_ttl_and_recovery(packaged):
    (table,) = resources(packaged.template, "AWS::DynamoDB::Table").values()
    p = table["Properties"]
    assert p["TableName"] == TABLE and p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["KeySchema"] == [
        {"AttributeName": "callid", "KeyType": "HASH"},
        {"AttributeName": "event_id", "KeyType": "RANGE"},
    ]
    assert {(a["AttributeName"], a["AttributeType"]) for a in p["AttributeDefinitions"]} == {
        ("callid", "S"),
        ("event_id", "S"),
        ("phone", "S"),
        ("received_at", "S"),
    }
    (index,) = p["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-phone"
    assert index["KeySchema"] == [
        {"AttributeName": "phone", "KeyType": "HASH"},
        {"AttributeName": "received_at", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}
    assert p["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    # the test stage may drop its table; real stages keep it (params.default)
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Delete"


def test_iam_grants_only_putitem_and_query_on_the_table(packaged):
    (statement,) = store_statements(packaged.template)
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["dynamodb:PutItem", "dynamodb:Query"]
    table_arn = {"Fn::GetAtt": ["ReceiptsTable", "Arn"]}
    index_arn = {"Fn::Join": ["/", [table_arn, "index", "by-phone"]]}
    assert statement["Resource"] == [table_arn, index_arn]
    assert "*" not in json.dumps(store_statements(packaged.template))


def test_sqs_switch_swaps_the_table_for_a_fifo_queue_with_a_dead_letter_queue(packaged_sqs):
    t = packaged_sqs.template
    assert not resources(t, "AWS::DynamoDB::Table")
    queues = resources(t, "AWS::SQS::Queue")
    main, dlq = queues["ReceiptsQueue"]["Properties"], queues["ReceiptsDeadLetterQueue"]["Properties"]
    assert main["QueueName"] == "voice-receipts-test-receipts.fifo" and main["FifoQueue"] is True
    assert dlq["QueueName"].endswith(".fifo") and dlq["FifoQueue"] is True
    assert main["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["ReceiptsDeadLetterQueue", "Arn"]}
    env = the_function(t)["Environment"]["Variables"]
    assert env["VOICE_RECEIPTS_STORE"] == "sqs://voice-receipts-test-receipts.fifo"
    (statement,) = store_statements(t)
    assert sorted(statement["Action"]) == ["sqs:GetQueueUrl", "sqs:SendMessage"]
    assert statement["Resource"] == [{"Fn::GetAtt": ["ReceiptsQueue", "Arn"]}]


def test_snapstart_is_off_unless_asked(packaged):
    t = packaged.template
    assert "SnapStart" not in the_function(t)
    assert not resources(t, "AWS::Lambda::Alias")
    (integration,) = resources(t, "AWS::ApiGatewayV2::Integration").values()
    assert "snapstart" not in json.dumps(integration)


def test_snapstart_switch_publishes_a_version_behind_an_alias_the_api_calls(packaged_snapstart):
    t = packaged_snapstart.template
    assert the_function(t)["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    (alias,) = resources(t, "AWS::Lambda::Alias").values()
    (version_id,) = resources(t, "AWS::Lambda::Version")
    assert alias["Properties"]["Name"] == "snapstart"
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    # the HTTP API must invoke the alias (the snapshot), and may invoke only that
    alias_arn = {"Fn::Join": [":", [{"Fn::GetAtt": ["ReceiveLambdaFunction", "Arn"]}, "snapstart"]]}
    (integration,) = resources(t, "AWS::ApiGatewayV2::Integration").values()
    assert integration["Properties"]["IntegrationUri"] == alias_arn
    (permission,) = resources(t, "AWS::Lambda::Permission").values()
    assert permission["Properties"]["FunctionName"] == alias_arn
    # the rest is the template without SnapStart
    assert resources(t, "AWS::DynamoDB::Table") and store_statements(t)


def test_zip_holds_the_function_and_its_aws_dependencies_only(packaged):
    names = packaged.names()
    top = {n.split("/", 1)[0] for n in names}
    assert "handler.py" in names and "voice_receipts/__init__.py" in names
    sources = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "voice_receipts").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert sources <= set(names), "every module of voice_receipts/ is packaged"
    assert not top & FORBIDDEN_TOP
    assert not top & TENCENT_ONLY, "the Tencent SDK and its HTTP stack stay out of the Lambda zip"
    assert {"pydantic", "pydantic_core", "typing_extensions.py"} <= top
    assert_no_dependency_tests(names)


def assert_no_dependency_tests(names):
    third_party = [n for n in names if not n.startswith(("voice_receipts/", "handler.py"))]
    assert not [n for n in third_party if {"tests", "test"} & set(n.split("/")[:-1])]
    assert not [n for n in third_party if re.search(r"/(test_\w*|\w*_test|test_cases)\.py$", n)]
    assert not [n for n in third_party if n.endswith(".pyi") or n.startswith("pydantic/v1/")]


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
    assert found["sources"] > 100 and found["bad"] == [], found["bad"]


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
import handler, pydantic_core
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
print(json.dumps({"reply": reply, "maxrss_mb": hwm_kb / 1024}))
"""


def answer_one_receipt(python: str, folder: Path, tmp_path: Path) -> dict:
    proc = subprocess.run(
        # -I: no PYTHONPATH, no user site, no cwd on sys.path; -S: no site-packages at all;
        # -B: nothing written, as in Lambda's read-only /var/task and on SCF
        [python, "-I", "-S", "-B", "-c", ANSWER_ONE_RECEIPT, str(folder)],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "AWS_LAMBDA_FUNCTION_NAME": "voice-receipts-test-receive",  # init as on Lambda
            "VOICE_RECEIPTS_STORE": f"sqlite:///{tmp_path}/receipts.db",
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
    assert out["reply"]["statusCode"] == 200 and len(sources) > 100


# --- Tencent SCF: deploy/tencent/serverless.yml ---------------------------------------------

TENCENT_YML = ROOT / "deploy" / "tencent" / "serverless.yml"


def tencent_inputs() -> dict:
    import yaml

    config = yaml.safe_load(TENCENT_YML.read_text())
    assert config["component"] == "scf"
    return config["inputs"]


def test_tencent_config_is_a_public_function_url_to_cmq():
    inputs = tencent_inputs()
    assert inputs["handler"] == "handler.main_handler"
    assert re.fullmatch(r"Python3\.\d+", inputs["runtime"])
    assert (inputs["memorySize"], inputs["timeout"]) == (128, 10)
    (event,) = inputs["events"]
    params = event["http"]["parameters"]
    assert params["authType"] == "NONE" and params["netConfig"]["enableExtranet"] is True
    env = inputs["environment"]["variables"]
    assert env["VOICE_RECEIPTS_STORE"].startswith("cmq://")
    assert env["VOICE_RECEIPTS_TOKEN"].startswith("${env:"), "the token never lives in the repo"


def test_tencent_package_alone_answers_a_receipt_on_scf_python(tmp_path):
    version = tencent_inputs()["runtime"].removeprefix("Python")
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine to run the SCF package with")
    folder = tmp_path / "scf"
    build(folder, version, "--unzipped", "--cloud", "tencent")
    top = {p.name for p in folder.iterdir()}
    assert {"tencentcloud", "pydantic", "handler.py"} <= top
    assert not top & AWS_SDK, "SCF needs no AWS SDK"
    assert_no_dependency_tests([p.relative_to(folder).as_posix() for p in folder.rglob("*")])
    check_pyc(python, folder)  # SCF sets PYTHONDONTWRITEBYTECODE: only shipped bytecode helps
    out = answer_one_receipt(python, folder, tmp_path)
    assert out["reply"]["statusCode"] == 200


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
