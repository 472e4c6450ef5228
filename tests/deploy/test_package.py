"""What `osls package` builds: a template cfn-lint accepts, saying what we mean, and a zip that
holds exactly the function and its dependencies, compiled for the function's Python and CPU.

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


@pytest.mark.parametrize("variant", ["packaged", "packaged_sqs", "packaged_events"])
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


def test_zip_holds_the_function_and_its_dependencies_only(packaged):
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
    assert not [n for n in names if n.endswith(".pyc") or "__pycache__" in n]
    assert {"pydantic", "pydantic_core", "tencentcloud"} <= top


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


def build(out: Path, version: str, *extra: str) -> None:
    """deploy/build_package.py for this CPU and the given Python version."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "deploy" / "build_package.py"),
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
    with zipfile.ZipFile(zip_path) as zf:
        twin = {n.replace(local_tag, lambda_tag) for n in zf.namelist()}
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
assert "boto3" not in sys.modules  # a SQLite-store function never pays for boto3
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
        # -I: no PYTHONPATH, no user site, no cwd on sys.path; -S: no site-packages at all
        [python, "-I", "-S", "-c", ANSWER_ONE_RECEIPT, str(folder)],
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
    build(folder, version, "--unzipped")
    out = answer_one_receipt(python, folder, tmp_path)
    assert out["reply"]["statusCode"] == 200


INIT_WITH_DYNAMODB = """
import sys
sys.path.insert(0, sys.argv[1])
sys.path.append(sys.argv[2])  # boto3 last, as Lambda's runtime puts its own after the package
import handler  # on Lambda, init builds the DynamoDB client (handler.py)
import boto3
assert boto3.__file__.startswith(sys.argv[2])
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
