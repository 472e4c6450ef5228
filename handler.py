"""Entry points. One function under two names: SCF calls main_handler, AWS Lambda lambda_handler."""

import os
from typing import Any

from voice_receipts import runtime
from voice_receipts.config import in_cloud_runtime

if in_cloud_runtime(os.environ):
    # Fail at init, where the platform reports it, not on the first receipt; init also runs
    # with the full CPU on Lambda, so the store's client is cheapest to build here.
    runtime.get_app()
    runtime.register_snapstart_hooks()  # with SnapStart, init above is what the snapshot holds


def main_handler(event: Any, context: Any) -> Any:
    return runtime.get_app()(event, context)


lambda_handler = main_handler
