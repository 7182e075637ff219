"""Invoices as BSS sends them, written through the billing intake."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from backend.billing import intake
from backend.billing.models import Outcome

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def invoice_record(
    invoice_id: str,
    *,
    account_id: str = "ACC-1",
    amount: str = "1000.00",
    due: date | str = "2026-01-10",
    status: str = "pending",
    updated: datetime | None = None,
    currency: str = "LKR",
    **extra: Any,
) -> dict[str, Any]:
    """A BSS invoice record (the fields of a feed row or a pushed record)."""
    return {
        "kind": "invoice",
        "id": invoice_id,
        "account_id": account_id,
        "number": f"INV-{invoice_id}",
        "amount": amount,
        "currency": currency,
        "due_date": str(due),
        "status": status,
        "updated_at": (updated or T0).isoformat(),
        **extra,
    }


async def put_invoice(invoice_id: str, **options: Any) -> Outcome:
    """Take in one invoice record as BSS's push would."""
    outcome = await intake.take_record(invoice_record(invoice_id, **options))
    return outcome.outcome


def days_ago(days: int) -> date:
    return (datetime.now(UTC) - timedelta(days=days)).date()
