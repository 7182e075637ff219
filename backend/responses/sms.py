"""The SMS gateway's inbound side: signed webhook calls, replies and delivery receipts."""

from __future__ import annotations

import hashlib
import hmac

from backend.core import clock
from backend.notifications import service as notifications
from backend.notifications.models import Channel
from backend.responses import service
from backend.responses.errors import SignatureInvalid
from backend.responses.models import ResponseChannel
from backend.responses.schemas import ReceiptAnswer, SmsAnswer, SmsInbound, SmsReceipt

SIGNATURE_HEADER = "X-DebtX-Signature"


def signature(secret: str, body: bytes) -> str:
    """The header value the gateway sends: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(secret: str, body: bytes, sent: str | None) -> None:
    """Refuse a call whose signature is missing or wrong (compared in constant time)."""
    if not sent or not hmac.compare_digest(sent.strip(), signature(secret, body)):
        raise SignatureInvalid(f"{SIGNATURE_HEADER} is not the HMAC-SHA256 of the body")


async def inbound(message: SmsInbound) -> SmsAnswer:
    """A customer's reply: stored once per gateway message id; a STOP is answered with
    the confirmation the gateway texts back."""
    received = await service.receive(
        service.Incoming(
            source_key=f"sms|{message.message_id}",
            channel=ResponseChannel.SMS,
            sender=message.sender,
            to=message.to,
            text=message.text,
            received_at=message.received_at or clock.now(),
        )
    )
    return SmsAnswer(duplicate=received.duplicate, reply=received.reply)


async def receipt(report: SmsReceipt) -> ReceiptAnswer:
    """A delivery report: the matching delivery records it; unknown ids are acknowledged
    (the gateway would otherwise send them again and again)."""
    found = await notifications.record_receipt(
        channel=Channel.SMS,
        provider_id=report.message_id,
        status=report.status,
        error_code=report.error_code,
    )
    return ReceiptAnswer(matched=found is not None)
