"""Paybill payments (C2B): Daraja asks DebtX to validate a payment before it completes,
then confirms it. A confirmation is booked through receipts once per TransID however
often it arrives; each answer tells Daraja whether to retry (only an accepted one stops
it). What DebtX cannot accept is refused the way Daraja expects, logged, and not booked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.core.logging import get_logger
from backend.core.money import Money, major_units
from backend.core.settings import MpesaSettings
from backend.customers import service as customers
from backend.mpesa import client
from backend.mpesa.schemas import ACCEPTED, DarajaAnswer, e164
from backend.receipts import service as receipts
from backend.receipts.models import Provider, Source
from backend.receipts.schemas import ProviderReport

log = get_logger("debtx.mpesa")

INVALID_ACCOUNT = "C2B00012"
INVALID_AMOUNT = "C2B00013"
INVALID_SHORTCODE = "C2B00015"
OTHER_ERROR = "C2B00016"
_TRANS_ID = re.compile(r"^[A-Za-z0-9]{4,32}$")
_DESCRIPTIONS = {
    INVALID_ACCOUNT: "Invalid Account Number",
    INVALID_AMOUNT: "Invalid Amount",
    INVALID_SHORTCODE: "Invalid ShortCode",
    OTHER_ERROR: "Other Error",
}


class Refusal(Exception):
    """Why a C2B callback is not taken, as one of Daraja's validation codes."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class C2BPayment:
    trans_id: str
    amount: Money
    paid_at: datetime
    bill_ref: str
    phone: str | None
    payer: str | None
    raw: dict[str, Any]


def read(body: bytes, settings: MpesaSettings) -> C2BPayment:
    """The payment a C2B callback describes, or Refusal."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise Refusal(OTHER_ERROR, "the body is not JSON") from exc
    if not isinstance(data, dict):
        raise Refusal(OTHER_ERROR, "the body is not a JSON object")
    if str(data.get("BusinessShortCode", "")) != settings.shortcode:
        raise Refusal(INVALID_SHORTCODE, "the payment is for another shortcode")
    return C2BPayment(
        trans_id=_trans_id(data),
        amount=Money(amount=_amount(data.get("TransAmount")), currency=settings.currency),
        paid_at=_paid_at(data.get("TransTime")),
        bill_ref=str(data.get("BillRefNumber") or "").strip()[:100],
        phone=_phone(data.get("MSISDN")),
        payer=_payer(data),
        raw=data,
    )


def _trans_id(data: dict[str, Any]) -> str:
    trans_id = str(data.get("TransID") or "").strip()
    if not _TRANS_ID.match(trans_id):
        raise Refusal(OTHER_ERROR, "TransID is missing or not an M-PESA transaction id")
    return trans_id


def _amount(value: Any) -> int:
    try:
        minor = major_units(str(Decimal(str(value))))
    except (ValueError, InvalidOperation) as exc:
        raise Refusal(INVALID_AMOUNT, "TransAmount is not an amount") from exc
    if minor <= 0:
        raise Refusal(INVALID_AMOUNT, "TransAmount is not above zero")
    return minor


def _paid_at(value: Any) -> datetime:
    try:
        stamp = datetime.strptime(str(value), "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise Refusal(OTHER_ERROR, "TransTime is not YYYYMMDDHHmmss") from exc
    return stamp.replace(tzinfo=client.EAT).astimezone(UTC)


def _phone(value: Any) -> str | None:
    try:
        return e164(str(value)) if value else None
    except ValueError:
        return None  # Daraja masks or hashes MSISDN for some paybills


def _payer(data: dict[str, Any]) -> str | None:
    names = (str(data.get(k) or "").strip() for k in ("FirstName", "MiddleName", "LastName"))
    return " ".join(n for n in names if n)[:200] or None


def refused(refusal: Refusal, *, stage: str, body: bytes) -> DarajaAnswer:
    """Daraja's refusal for `refusal`, logged with the TransID when there is one."""
    log.warning(
        f"mpesa.c2b.{stage}_refused",
        code=refusal.code,
        reason=refusal.reason,
        trans_id=_logged_id(body),
    )
    return DarajaAnswer(ResultCode=refusal.code, ResultDesc=_DESCRIPTIONS[refusal.code])


def _logged_id(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return str(data.get("TransID"))[:64] if isinstance(data, dict) else None


async def validate(body: bytes, settings: MpesaSettings) -> DarajaAnswer:
    """Accept a payment about to be made when it is for DebtX and names a known account."""
    try:
        payment = read(body, settings)
        if settings.validation == "known_account" and not await _known(payment.bill_ref):
            raise Refusal(INVALID_ACCOUNT, "BillRefNumber is not an account")
    except Refusal as refusal:
        return refused(refusal, stage="validation", body=body)
    log.info("mpesa.c2b.validated", trans_id=payment.trans_id)
    return ACCEPTED


async def _known(bill_ref: str) -> bool:
    if not bill_ref:
        return False
    for candidate in dict.fromkeys((bill_ref, bill_ref.upper())):
        if await customers.get_account(candidate) is not None:
            return True
    return False


async def confirm(body: bytes, settings: MpesaSettings) -> DarajaAnswer:
    """Book a completed payment once; Daraja's retries of it are recognised."""
    try:
        payment = read(body, settings)
    except Refusal as refusal:
        answer = refused(refusal, stage="confirmation", body=body)
        return DarajaAnswer(ResultCode=1, ResultDesc=f"Rejected: {answer.ResultDesc}")
    receipt = await receipts.receive(
        ProviderReport(
            provider=Provider.MPESA,
            transaction_id=payment.trans_id,
            source=Source.CALLBACK,
            amount=payment.amount,
            paid_at=payment.paid_at,
            reference=payment.bill_ref or None,
            phone=payment.phone,
            payer=payment.payer,
            raw=payment.raw,
        )
    )
    log.info("mpesa.c2b.confirmed", trans_id=payment.trans_id, receipt_id=receipt.id)
    return ACCEPTED
