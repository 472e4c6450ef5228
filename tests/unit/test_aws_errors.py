"""aws.unavailable's words for errors botocore builds without the usual parts: a ClientError with
no Error or ResponseMetadata (a stub, an odd endpoint), and a botocore error of no known kind;
aws.make_client's own: the endpoint it is given, and a client it cannot build named by its error."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from voice_receipts import aws
from voice_receipts.errors import ConfigError


def test_a_client_error_without_code_or_status_is_an_unknown_refusal():
    exc = ClientError({}, "PutItem")
    assert aws.error_code(exc) == "UnknownError"
    assert (
        aws.unavailable("dynamodb table 't'", exc).message
        == "dynamodb table 't' refused the request (UnknownError)"
    )


def test_a_client_error_without_status_is_not_taken_for_a_server_failure():
    exc = ClientError({"Error": {"Code": "SomethingNew"}}, "PutItem")
    assert aws.unavailable("sqs queue 'q'", exc).message == "sqs queue 'q' refused the request (SomethingNew)"
    failing = ClientError(
        {"Error": {"Code": "SomethingNew"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "PutItem"
    )
    assert (
        aws.unavailable("sqs queue 'q'", failing).message
        == "sqs queue 'q' is failing on AWS's side (SomethingNew)"
    )


def test_a_botocore_error_of_no_known_kind_failed():
    exc = ParamValidationError(report="bad")
    assert (
        aws.unavailable("dynamodb table 't'", exc).message
        == "dynamodb table 't' failed (ParamValidationError)"
    )


def test_a_code_with_nothing_safe_to_show_is_unknown():
    assert aws.error_code(ClientError({"Error": {"Code": "\u202e\x1b"}}, "PutItem")) == "UnknownError"


@pytest.mark.usefixtures("aws_env")  # no AWS_ENDPOINT_URL* for botocore to find on its own
def test_a_client_given_an_endpoint_sends_to_it():
    assert aws.make_client("dynamodb").meta.endpoint_url.startswith("https://dynamodb.")
    client = aws.make_client("dynamodb", endpoint_url="http://127.0.0.1:8000")
    assert client.meta.endpoint_url == "http://127.0.0.1:8000"


@pytest.mark.usefixtures("aws_env")
def test_a_client_that_cannot_be_built_is_a_config_error_naming_why(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")  # the config file aws_env names is absent
    with pytest.raises(ConfigError) as caught:
        aws.make_client("sqs")
    assert caught.value.message == "cannot build the sqs client: ProfileNotFound"
