"""PROTOTYPE, measured by hand (bench/RESULTS.md), not run by make bench: DynamoDB without botocore.

One signed POST per call over http.client (SigV4), credentials and region from the environment
Lambda always sets, endpoint from AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL when set.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import time
from urllib.parse import urlsplit


class DynamoDBError(Exception):
    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code, self.status = code, status


class SigV4DynamoDB:
    def __init__(self) -> None:
        env = os.environ
        self.region = env.get("AWS_REGION") or env["AWS_DEFAULT_REGION"]
        endpoint = env.get("AWS_ENDPOINT_URL_DYNAMODB") or env.get("AWS_ENDPOINT_URL")
        url = urlsplit(endpoint or f"https://dynamodb.{self.region}.amazonaws.com")
        self.scheme, self.host = url.scheme, url.netloc
        self.key, self.secret = env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
        self.token = env.get("AWS_SESSION_TOKEN")
        self.conn = None

    def _connection(self):
        if self.conn is None:
            if self.scheme == "https":
                self.conn = http.client.HTTPSConnection(self.host, timeout=2.0)
            else:
                self.conn = http.client.HTTPConnection(self.host, timeout=2.0)
        return self.conn

    def call(self, target: str, body: dict) -> dict:
        payload = json.dumps(body).encode()
        now = time.gmtime()
        amz_date, day = time.strftime("%Y%m%dT%H%M%SZ", now), time.strftime("%Y%m%d", now)
        headers = {
            "content-type": "application/x-amz-json-1.0",
            "host": self.host,
            "x-amz-date": amz_date,
            "x-amz-target": f"DynamoDB_20120810.{target}",
        }
        if self.token:
            headers["x-amz-security-token"] = self.token
        names = sorted(headers)
        canonical = "\n".join(
            [
                "POST",
                "/",
                "",
                *(f"{n}:{headers[n]}" for n in names),
                "",
                ";".join(names),
                hashlib.sha256(payload).hexdigest(),
            ]
        )
        scope = f"{day}/{self.region}/dynamodb/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        k = f"AWS4{self.secret}".encode()
        for part in (day, self.region, "dynamodb", "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.key}/{scope}, SignedHeaders={';'.join(names)},"
            f" Signature={signature}"
        )
        conn = self._connection()
        conn.request("POST", "/", payload, headers)
        response = conn.getresponse()
        data = json.loads(response.read() or b"{}")
        if response.status != 200:
            raise DynamoDBError(str(data.get("__type", "")).rsplit("#", 1)[-1], response.status)
        return data

    def put_item(self, **request) -> dict:
        return self.call("PutItem", request)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
