"""What every command shares: settings from the environment with --store on top."""

from __future__ import annotations

import argparse
import os

from voice_receipts import config


def settings(args: argparse.Namespace) -> config.Settings:
    """The environment's settings with --store on top (the environment itself is left alone)."""
    return config.load_settings(os.environ, store=getattr(args, "store", None))
