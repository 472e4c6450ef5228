"""The SQL stores' deployments: `--param store=mysql|postgresql` on AWS (the function in the
database's VPC, the password from SSM like the token, the driver in the zip, no AWS permission
beyond its logs), and a Tencent SCF package with `--store` that answers a receipt into a real
server from the package alone, on SCF's Python."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.deploy.conftest import find_python, package_beside, store_statements, the_function
from tests.deploy.test_package import answer_one_receipt, build
from tests.helpers import assert_cfn_lint_clean

pytestmark = pytest.mark.deploy
DRIVER = {"mysql": "pymysql", "postgresql": "psycopg"}
PARAMS = ("--param", "dbHost=db.internal", "--param", "dbName=voice", "--param", "dbUser=receiver",
          "--param", "dbPassword=pw-not-real", "--param", "subnetIds=subnet-01234567,subnet-89abcdef",
          "--param", "securityGroupIds=sg-0123456789abcdef0")  # fmt: skip


@pytest.fixture(scope="module", params=["mysql", "postgresql"])
def packaged_sql(request, packaged, tmp_path_factory):
    kind = request.param
    return kind, package_beside(
        packaged, tmp_path_factory, f"{kind}-package", "--param", f"store={kind}", *PARAMS
    )


def test_a_sql_store_stack_puts_the_function_in_the_vpc_with_its_driver_and_no_aws_grant(packaged_sql):
    kind, package = packaged_sql
    assert_cfn_lint_clean(package.dir / "cloudformation-template-update-stack.json")
    function = the_function(package.template)
    env = function["Environment"]["Variables"]
    port = {"mysql": 3306, "postgresql": 5432}[kind]
    assert env["VOICE_RECEIPTS_STORE"] == f"{kind}://receiver@db.internal:{port}/voice"
    assert env["VOICE_RECEIPTS_DB_PASSWORD"] == "pw-not-real"  # else SSM /voice-receipts/STAGE/db-password
    assert function["VpcConfig"] == {
        "SecurityGroupIds": {"Fn::Split": [",", "sg-0123456789abcdef0"]},
        "SubnetIds": {"Fn::Split": [",", "subnet-01234567,subnet-89abcdef"]},
    }
    assert function["Timeout"] == 28  # waits for a waking database, within the HTTP API's 30 s
    assert store_statements(package.template) == []  # the database's GRANT is its permission
    assert not [t for t in (r["Type"] for r in package.template["Resources"].values()) if "DynamoDB" in t]
    with zipfile.ZipFile(package.zip) as zf:
        tops = {name.split("/")[0] for name in zf.namelist()}
    assert DRIVER[kind] in tops
    assert not tops & ({"pymysql", "psycopg", "boto3", "tencentcloud"} - {DRIVER[kind]})


def test_a_sql_store_publishes_no_events(packaged, tmp_path_factory):
    """Events come from the DynamoDB stream: with a SQL store, events=true refuses to package."""
    with pytest.raises(AssertionError, match="PublishEventsFromStream.Properties.EventSourceArn"):
        package_beside(
            packaged,
            tmp_path_factory,
            "events-sql",
            "--param",
            "store=mysql",
            "--param",
            "events=true",
            *PARAMS,
        )


@pytest.mark.parametrize("kind", ["mysql", "postgresql"])
def test_a_tencent_package_with_a_sql_store_answers_into_a_real_server(kind, sql_server, tmp_path):
    # over 10 s: pip builds the package for SCF's Python (as test_package.py's SCF test does)
    from tests.sqlservers import admin_url, fresh_database

    python = find_python("3.10")  # SCF's newest Python
    if python is None:
        pytest.skip("no Python 3.10 on this machine to run the SCF package with")
    folder = tmp_path / "scf"
    build(folder, "3.10", "--unzipped", "--cloud", "tencent", "--store", kind)
    top = {p.name for p in folder.iterdir()}
    assert DRIVER[kind] in top and "tencentcloud" not in top  # CMQ's SDK stays out
    assert DRIVER["postgresql" if kind == "mysql" else "mysql"] not in top
    server = sql_server(kind)
    database = fresh_database(server)
    out = answer_one_receipt(python, folder, tmp_path, store=admin_url(server, database))
    assert out["reply"]["statusCode"] == 200, out
    [(count,)] = server.execute("SELECT COUNT(*) FROM receipts", database=database)
    assert count == 1
    assert json.loads(out["reply"]["body"]) == {"result": 0, "errmsg": "OK"}
