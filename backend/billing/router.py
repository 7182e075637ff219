from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, status

from backend.auth.deps import OperatorStaff, StaffWithTeams
from backend.billing import feeds, service, webhook
from backend.billing.schemas import (
    BillingAccountRead,
    FeedRead,
    FeedSummary,
    InvoiceRead,
    Kind,
    WebhookBody,
)
from backend.core.pagination import Limit, ObjectIdCursor, Page
from backend.core.schemas import AccountNumber
from backend.customers.schemas import REF_PATTERN
from backend.intake import uploads
from backend.intake.schemas import Filename

router = APIRouter(tags=["billing"])

FeedId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Feed id")]
InvoiceId = Annotated[str, Path(pattern=REF_PATTERN, description="BSS invoice id")]
Timestamp = Annotated[str | None, Header(alias=webhook.TIMESTAMP, description="Unix seconds")]
Signature = Annotated[
    str | None, Header(alias=webhook.SIGNATURE, description="sha256=HMAC of `timestamp.body`")
]

UPLOAD_BODY: dict[str, Any] = uploads.upload_body("The feed file")


@router.post(
    "/billing/webhook",
    summary="BSS pushes billing records",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": WebhookBody.model_json_schema()}},
        }
    },
)
async def bss_webhook(
    request: Request, timestamp: Timestamp = None, signature: Signature = None
) -> FeedRead:
    """Signed by BSS with the billing webhook secret (no bearer token): a bad signature or
    a stale timestamp is a 401 and changes nothing; each record's outcome is reported."""
    batch = await webhook.receive(
        body=await request.body(),
        timestamp=timestamp,
        signature=signature,
        settings=request.app.state.settings.billing,
    )
    return service.feed_read(batch)


@router.post(
    "/billing/feeds",
    status_code=status.HTTP_201_CREATED,
    summary="Upload a BSS billing feed file (operator)",
    openapi_extra=UPLOAD_BODY,
)
async def upload_feed(
    actor: OperatorStaff,
    request: Request,
    kind: Annotated[Kind | None, Query(description="The file's kind of record")] = None,
    filename: Annotated[Filename | None, Query(description="Name recorded for a raw body")] = None,
) -> FeedRead:
    """CSV (its kind named here, or a kind column) or JSON Lines; returns the row report."""
    upload = await uploads.from_request(request, filename)
    batch = await feeds.import_upload(
        actor=actor, upload=upload, kind=kind, settings=request.app.state.settings.billing
    )
    return service.feed_read(batch)


@router.get("/billing/feeds", summary="Billing feeds taken in (operator)")
async def list_feeds(
    _: OperatorStaff, cursor: ObjectIdCursor = None, limit: Limit = 50
) -> Page[FeedSummary]:
    """Files and pushes, newest first, with their counts."""
    return await service.list_feeds(cursor=cursor, limit=limit)


@router.get("/billing/feeds/{feed_id}", summary="A billing feed's report (operator)")
async def get_feed(_: OperatorStaff, feed_id: FeedId) -> FeedRead:
    """Counts and each row's outcome, refused rows with their reason."""
    return await service.get_feed(feed_id)


@router.get("/billing/accounts/{account_id}", summary="An account's balance and invoices")
async def get_billing_account(
    actor: StaffWithTeams, account_id: AccountNumber
) -> BillingAccountRead:
    """Operator staff: any account; a supervisor: an account of their DRC's cases."""
    return await service.get_account(actor=actor, account_id=account_id)


@router.get("/billing/invoices/{invoice_id}", summary="An invoice")
async def get_invoice(actor: StaffWithTeams, invoice_id: InvoiceId) -> InvoiceRead:
    """As BSS sent it, with DebtX's credits on it; reach as for its account."""
    return await service.get_invoice(actor=actor, invoice_id=invoice_id)
