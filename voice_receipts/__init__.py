"""voice-receipts: receive, validate and store Tencent Cloud VMS voice-message receipts."""

__version__ = "0.1.0"
