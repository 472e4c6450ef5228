"""The floor: json-load the body, one boto3 PutItem, nothing else (no validation, no dedupe)."""

import json
import os

import boto3

dynamodb = boto3.client("dynamodb")
TABLE = os.environ["BENCH_TABLE"]


def lambda_handler(event, context):
    ((kind, callback),) = json.loads(event["body"]).items()
    item = {"callid": {"S": callback["callid"]}, "event_id": {"S": kind}, "raw": {"S": event["body"]}}
    dynamodb.put_item(TableName=TABLE, Item=item)
    return {"statusCode": 200, "body": '{"result":0,"errmsg":"OK"}'}
