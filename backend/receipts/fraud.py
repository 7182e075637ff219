"""Checks that flag a receipt for review and never stop its booking: many receipts from
one phone in a short time, and an amount far above what the account has paid before."""

from __future__ import annotations

from datetime import timedelta

from backend.cases import service as cases
from backend.core import pii
from backend.core.settings import ReceiptSettings
from backend.payments import service as payments
from backend.receipts import repository
from backend.receipts.models import FlagKind, Receipt, ReceiptFlag


def amount_mismatch(receipt: Receipt, reported: str) -> ReceiptFlag:
    """A repeat sighting that gives another amount than the one booked."""
    return ReceiptFlag(
        kind=FlagKind.AMOUNT_MISMATCH,
        detail=f"a repeat report gave {reported}; {receipt.amount} was kept",
    )


async def velocity(receipt: Receipt, settings: ReceiptSettings) -> ReceiptFlag | None:
    """More than the limit of receipts from this phone within the minutes before it."""
    if not receipt.phone or not receipt.phone_key:
        return None
    since = receipt.paid_at - timedelta(minutes=settings.velocity_minutes)
    count = await repository.count_from_phone(receipt.phone_key, since=since, until=receipt.paid_at)
    if count <= settings.velocity_limit:
        return None
    return ReceiptFlag(
        kind=FlagKind.VELOCITY,
        detail=(
            f"{count} receipts from {pii.mask(receipt.phone)}"
            f" within {settings.velocity_minutes} min"
        ),
    )


async def outlier(
    receipt: Receipt, account_id: str, settings: ReceiptSettings
) -> ReceiptFlag | None:
    """Above `outlier_factor` times the largest of the account's latest payments."""
    case_ids = [str(c.id) for c in await cases.of_account(account_id)]
    history = [
        m.amount
        for m in await payments.recent_amounts(case_ids, limit=settings.outlier_history)
        if m.currency == receipt.amount.currency
    ]
    if len(history) < settings.outlier_min_history:
        return None
    largest = max(history)
    if receipt.amount.amount <= settings.outlier_factor * largest:
        return None
    return ReceiptFlag(
        kind=FlagKind.OUTLIER,
        detail=(
            f"{receipt.amount} is above {settings.outlier_factor} x the largest of the "
            f"account's last {len(history)} payments"
        ),
    )
