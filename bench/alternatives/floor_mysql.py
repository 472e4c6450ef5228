"""The MySQL floor: json-load the body, one PyMySQL connection, one INSERT, nothing else.
BENCH_MYSQL_PLAIN=1 (variant floor_mysql_plain): no TLS at all, so no trust store is loaded."""

import json
import os

import pymysql

e = os.environ
db = pymysql.connect(host="127.0.0.1", port=int(e["BENCH_MYSQL_PORT"]), user=e["BENCH_MYSQL_USER"],
                     password=e["BENCH_MYSQL_PASSWORD"].encode(), database=e["BENCH_MYSQL_DB"],
                     autocommit=True, ssl_disabled=bool(e.get("BENCH_MYSQL_PLAIN")))  # fmt: skip
INSERT = "INSERT INTO floor_receipts VALUES (%s, %s, %s)"


def lambda_handler(event, context):
    ((kind, callback),) = json.loads(event["body"]).items()
    with db.cursor() as cursor:
        cursor.execute(INSERT, (callback["callid"], kind, event["body"]))
    return {"statusCode": 200, "body": '{"result":0,"errmsg":"OK"}'}
