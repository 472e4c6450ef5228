"""powertools_plain.py plus Powertools' idempotency utility on the handler, keyed by the body,
with its DynamoDBPersistenceLayer on a second table (key `id`): a redelivery is answered from
the idempotency record without running the route again.
"""

import os

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
)
from powertools_plain import app

persistence = DynamoDBPersistenceLayer(table_name=os.environ["BENCH_IDEMPOTENCY_TABLE"])
config = IdempotencyConfig(event_key_jmespath="body")


@idempotent(config=config, persistence_store=persistence)
def lambda_handler(event, context):
    return app.resolve(event, context)
