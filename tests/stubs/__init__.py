"""Local stand-ins for cloud APIs that have no moto: reusable by the functional, fuzz and bench suites."""

from tests.stubs.tdmq_stub import Message, Received, TdmqStub, tc3_headers, tc3_signature

__all__ = ["Message", "Received", "TdmqStub", "tc3_headers", "tc3_signature"]
