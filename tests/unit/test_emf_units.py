"""The EMF directive's units: CloudWatch files a metric under the unit the directive names, and an
alarm or a dashboard asking for another unit sees no data. InitDuration is in milliseconds (the
value is process_age_ms()); the counts are Count."""

from voice_receipts.metrics import Metrics


def directive_units(fields: dict) -> dict[str, str]:
    return {
        metric["Name"]: metric["Unit"]
        for directive in fields["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]
    }


def test_init_duration_is_in_milliseconds_and_the_counts_are_counts():
    fields: dict = {"state": None}
    Metrics("fn", init_ms=123.456).annotate(fields, None, "rejected")
    assert directive_units(fields) == {
        "Receipts": "Count",
        "ColdStarts": "Count",
        "InitDuration": "Milliseconds",
    }
    assert fields["InitDuration"] == 123.5  # the value is the milliseconds measured, rounded to 0.1


def test_init_duration_is_sent_once_on_the_cold_start_only():
    metrics = Metrics("fn", init_ms=50.0)
    first: dict = {}
    metrics.annotate(first, None, "rejected")
    second: dict = {}
    metrics.annotate(second, None, "rejected")
    assert "InitDuration" in first and first["ColdStarts"] == 1
    assert "InitDuration" not in second and "ColdStarts" not in second
    assert directive_units(second) == {"Receipts": "Count"}


def test_without_a_measured_init_there_is_no_init_duration():
    fields: dict = {}
    Metrics("fn", init_ms=None).annotate(fields, None, "rejected")
    assert directive_units(fields) == {"Receipts": "Count", "ColdStarts": "Count"}
