"""The receipts table exactly as deploy/aws/store-dynamodb.yml declares it, for moto and DynamoDB Local.

Tests and the bench create their tables from this, so the table the code is tested against cannot
drift from the one `osls deploy` creates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

STORE_FILE = Path(__file__).resolve().parent / "aws" / "store-dynamodb.yml"
CREATE_KEYS = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")


def _properties() -> dict[str, Any]:
    # plain YAML: the file uses the long `Fn::` spelling, so no CloudFormation tags to teach yaml
    resources = yaml.safe_load(STORE_FILE.read_text())["resources"]["Resources"]
    (table,) = (r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table")
    return table["Properties"]


def create_table(client: Any, name: str) -> None:
    """CreateTable with the declared keys and indexes, then the declared TTL."""
    props = _properties()
    client.create_table(TableName=name, **{k: props[k] for k in CREATE_KEYS if k in props})
    if "TimeToLiveSpecification" in props:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"])
