"""Local stand-ins for cloud APIs that have no moto: reusable by the functional, fuzz and bench suites."""

from tests.stubs.cls_stub import ClsStub
from tests.stubs.tdmq_stub import Message, Received, TdmqStub, tc3_headers
from tests.stubs.tencent_api import tc3_signature
from tests.stubs.vms_stub import VmsStub

__all__ = ["ClsStub", "Message", "Received", "TdmqStub", "VmsStub", "tc3_headers", "tc3_signature"]
