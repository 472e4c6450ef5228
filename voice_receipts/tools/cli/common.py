"""What every command shares: settings from the environment with --store on top."""

from __future__ import annotations

import argparse
import dataclasses
import os

from voice_receipts import config


def settings(args: argparse.Namespace) -> config.Settings:
    """The environment's settings with --store on top (the environment itself is left alone).

    Metrics are off whatever the environment says: a command's requests are not the function's,
    and counting them would put replays and local tests into the deployment's alarms."""
    loaded = config.load_settings(os.environ, store=getattr(args, "store", None))
    return dataclasses.replace(loaded, metrics=False)
