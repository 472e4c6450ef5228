#!/usr/bin/env python3
"""The whole AWS stack on loopback: moto (DynamoDB, SQS) + serverless-offline running handler.py.

    .venv/bin/python deploy/offline.py [--store dynamodb|sqs] [--stage offline]

1. `osls print` resolves serverless.yml for the stage, exactly as a deploy would;
2. a moto server on 127.0.0.1 gets the store's resources from that resolved config (the
   DynamoDB table with its keys, index and TTL, or the FIFO queue and its dead-letter queue),
   so the offline table is the deployed table's twin, not a hand-copied one;
3. `osls offline` serves the HTTP API route and runs the real handler in this .venv's python,
   with boto3 pointed at moto (AWS_ENDPOINT_URL) and fake credentials: nothing reaches AWS.

Prints one line `READY <callback url>` when both answer, then runs until SIGINT/SIGTERM and
stops both. Ports: --http-port/--lambda-port/--moto-port or OFFLINE_HTTP_PORT,
OFFLINE_LAMBDA_PORT, MOTO_PORT (defaults 3000, 3002, 5005).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
START_TIMEOUT_S = 60


def npx(*args: str) -> list[str]:
    return ["npx", "--no-install", *args]


def resolved_config(stage: str, store: str, region: str, env: dict[str, str]) -> dict[str, Any]:
    """serverless.yml with every variable resolved, as osls itself resolves it for `stage`."""
    out = subprocess.run(  # noqa: S603 - fixed argv, no shell
        npx(
            "osls",
            "print",
            "--stage",
            stage,
            "--region",
            region,
            "--param",
            f"store={store}",
            "--format",
            "json",
        ),
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def aws_env(moto_url: str, region: str) -> dict[str, str]:
    """The environment for osls and the handler: every AWS call goes to moto, with fake keys."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE", "AWS_WEB_IDENTITY"))
    }
    env.update(FAKE_CREDENTIALS)
    env.update(
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        AWS_ENDPOINT_URL=moto_url,  # boto3 and the JS SDK both honour it: a safety net
        AWS_ENDPOINT_URL_DYNAMODB=moto_url,
        AWS_ENDPOINT_URL_SQS=moto_url,
        AWS_EC2_METADATA_DISABLED="true",
    )
    if sys.prefix != sys.base_prefix:
        # serverless-offline puts $VIRTUAL_ENV/bin first on PATH before spawning `python3`, so
        # the handler runs in the venv running this script, whatever the shell's PATH says.
        env["VIRTUAL_ENV"] = sys.prefix
        env["PATH"] = f"{sys.prefix}/bin{os.pathsep}{env.get('PATH', '')}"
    return env


def create_resources(config: dict[str, Any], moto_url: str, region: str) -> list[str]:
    """Create the config's DynamoDB tables and SQS queues in moto; returns what was created."""
    import boto3

    session = boto3.session.Session(
        region_name=region,
        **{
            "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        },
    )
    ddb = session.client("dynamodb", endpoint_url=moto_url)
    sqs = session.client("sqs", endpoint_url=moto_url)
    resources = config.get("resources", {}).get("Resources", {})
    created, queue_arns = [], {}
    # dead-letter queues first: a queue's RedrivePolicy names its DLQ's ARN
    ordered = sorted(resources.items(), key=lambda kv: "RedrivePolicy" in kv[1].get("Properties", {}))
    for logical_id, resource in ordered:
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::DynamoDB::Table":
            keys = ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")
            ddb.create_table(**{k: props[k] for k in keys if k in props})
            if "TimeToLiveSpecification" in props:
                ddb.update_time_to_live(
                    TableName=props["TableName"], TimeToLiveSpecification=props["TimeToLiveSpecification"]
                )
            created.append(f"dynamodb table {props['TableName']}")
        elif resource["Type"] == "AWS::SQS::Queue":
            attributes = {
                k: str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in props.items()
                if k in ("FifoQueue", "ContentBasedDeduplication", "MessageRetentionPeriod")
            }
            if "RedrivePolicy" in props:
                policy = dict(props["RedrivePolicy"])
                target = policy["deadLetterTargetArn"]["Fn::GetAtt"][0]
                policy["deadLetterTargetArn"] = queue_arns[target]
                attributes["RedrivePolicy"] = json.dumps(policy)
            url = sqs.create_queue(QueueName=props["QueueName"], Attributes=attributes)["QueueUrl"]
            queue_arns[logical_id] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            created.append(f"sqs queue {props['QueueName']}")
    return created


def wait_for_port(port: int, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"serverless-offline exited with {proc.returncode} before serving")
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on {HOST}:{port} within {START_TIMEOUT_S} s")


PORT_VARIABLES = {
    "http_port": "OFFLINE_HTTP_PORT",
    "lambda_port": "OFFLINE_LAMBDA_PORT",
    "moto_port": "MOTO_PORT",
}


def check_ports_free(args: argparse.Namespace) -> None:
    """Fail at once, naming the variable that moves the port: with a port taken, the gateway
    would print READY for someone else's server, and moto would hang."""
    for attr, variable in PORT_VARIABLES.items():
        port = getattr(args, attr)
        with socket.socket() as probe:
            # as the servers bind: a port left in TIME_WAIT by the last run is free, a listener is not
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError:
                option = "--" + attr.replace("_", "-")
                raise SystemExit(
                    f"port {port} on {HOST} is in use; free it, or set {variable}=... ({option} ...)"
                ) from None


def stop(proc: subprocess.Popen) -> None:
    """serverless-offline runs as npx -> node -> python: end its whole process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--store", choices=("dynamodb", "sqs"), default="dynamodb")
    p.add_argument("--stage", default="offline")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--http-port", type=int, default=int(os.environ.get("OFFLINE_HTTP_PORT", 3000)))
    p.add_argument("--lambda-port", type=int, default=int(os.environ.get("OFFLINE_LAMBDA_PORT", 3002)))
    p.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", 5005)))
    args = p.parse_args(argv)
    check_ports_free(args)

    from moto.server import ThreadedMotoServer

    moto_url = f"http://{HOST}:{args.moto_port}"
    env = aws_env(moto_url, args.region)
    config = resolved_config(args.stage, args.store, args.region, env)
    moto = ThreadedMotoServer(ip_address=HOST, port=args.moto_port, verbose=False)
    moto.start()
    offline = None
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        for line in create_resources(config, moto_url, args.region):
            print(f"moto: created {line} at {moto_url}", flush=True)
        offline = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            npx(
                "osls",
                "offline",
                "start",
                "--stage",
                args.stage,
                "--region",
                args.region,
                "--param",
                f"store={args.store}",
                "--host",
                HOST,
                "--httpPort",
                str(args.http_port),
                "--lambdaPort",
                str(args.lambda_port),
                "--noSponsor",
            ),
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group, see stop()
        )
        wait_for_port(args.http_port, offline)
        token = config["functions"]["receive"]["environment"].get("VOICE_RECEIPTS_TOKEN", "")
        url = f"http://{HOST}:{args.http_port}/voice/callback?token={token}"
        store_url = config["functions"]["receive"]["environment"]["VOICE_RECEIPTS_STORE"]
        print(f"READY {url}", flush=True)
        print(
            f"  curl -sX POST '{url}' -H 'Content-Type: application/json' "
            f"-d @events/callbacks/01-voicecode-answered.json",
            flush=True,
        )
        print(
            f"  AWS_ENDPOINT_URL={moto_url} AWS_ACCESS_KEY_ID=testing "
            f"AWS_SECRET_ACCESS_KEY=testing AWS_REGION={args.region} "
            f".venv/bin/python -m voice_receipts show --store {store_url}",
            flush=True,
        )
        while not stopping and offline.poll() is None:
            time.sleep(0.2)
        return 0 if stopping else (offline.returncode or 1)
    finally:
        if offline is not None:
            stop(offline)
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
