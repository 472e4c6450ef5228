"""The usual alternative: Powertools for AWS Lambda's HTTP API resolver with request validation,
pydantic models of the four callbacks, one conditional PutItem keyed (callid, event_id).

What a team would write for the same job with the toolkit AWS recommends; no idempotency utility
(powertools_idempotent.py adds it).
"""

from __future__ import annotations

import hashlib
import os

import boto3
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, model_validator

TABLE = os.environ["BENCH_TABLE"]
dynamodb = boto3.client("dynamodb")
app = APIGatewayHttpResolver(enable_validation=True)


class Callback(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    callid: str = Field(min_length=1)
    mobile: str | None = None
    nationcode: str | None = None
    call_from: str | None = None


class StatusCallback(Callback):
    result: str
    start_calltime: str | None = None
    accept_time: str | None = None
    end_calltime: str | None = None
    fee: str | None = None


class KeypressCallback(Callback):
    keypress: str


class FailureCallback(Callback):
    failure_code: int
    failure_reason: str | None = None


class Body(BaseModel):
    """Exactly one of the four keys."""

    voicecode_callback: StatusCallback | None = None
    voiceprompt_callback: StatusCallback | None = None
    voicekey_callback: KeypressCallback | None = None
    voice_failure_callback: FailureCallback | None = None

    @model_validator(mode="after")
    def one_kind(self) -> Body:
        if len(self.model_fields_set) != 1:
            raise ValueError("body must hold exactly one callback kind key")
        return self


@app.exception_handler(RequestValidationError)
def invalid(exc: RequestValidationError) -> Response:
    return Response(400, "application/json", '{"result":4002,"errmsg":"not a valid callback"}')


@app.post("/voice/callback")
def callback(body: Body) -> dict:
    kind = next(iter(body.model_fields_set))
    receipt: Callback = getattr(body, kind)
    raw = receipt.model_dump_json()
    digest = hashlib.sha256(f"{kind}\n{raw}".encode()).hexdigest()
    event_id = f"{kind.removesuffix('_callback')}-{digest[:32]}"
    try:
        dynamodb.put_item(
            TableName=TABLE,
            Item={"callid": {"S": receipt.callid}, "event_id": {"S": event_id}, "raw": {"S": raw}},
            ConditionExpression="attribute_not_exists(callid)",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        pass  # a redelivery: already stored
    except Exception as exc:
        raise ServiceError(503, "store unavailable") from exc
    return {"result": 0, "errmsg": "OK"}


def lambda_handler(event, context):
    return app.resolve(event, context)
