"""The STK push API's shapes, and Daraja's callback bodies as DebtX reads them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from backend.core.money import Money
from backend.core.schemas import RequestModel
from backend.mpesa.models import StkStatus

_KENYAN_MOBILE = re.compile(r"^(?:\+?254|0)([17][0-9]{8})$")


def e164(number: str) -> str:
    """A Kenyan mobile number in any usual form (+2547…, 2547…, 07…) as +2547…."""
    found = _KENYAN_MOBILE.match(re.sub(r"[\s-]", "", number))
    if found is None:
        raise ValueError("expected a Kenyan mobile number such as +254712345678")
    return f"+254{found.group(1)}"


MpesaPhone = Annotated[
    str,
    Field(pattern=r"^(\+?254|0)[17][0-9]{8}$", examples=["+254712345678", "0712345678"]),
    AfterValidator(e164),
]
AccountRef = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.:-]{0,63}$")]
CaseRef = Annotated[str, Field(pattern=r"^[0-9a-f]{24}$", description="The case")]


class StkPush(RequestModel):
    """The customer's phone to prompt and the amount to ask for (whole shillings)."""

    phone: MpesaPhone
    amount: Money


class StkPushCreate(StkPush):
    """Staff name the case, or (operator staff) an account with no case in hand."""

    case_id: CaseRef | None = None
    account_id: AccountRef | None = None


class StkRequestRead(BaseModel):
    id: str
    case_id: str | None
    account_id: str
    phone: str
    amount: Money
    reference: str
    status: StkStatus
    requested_by: str
    checkout_request_id: str | None
    result_code: str | None
    result_desc: str | None
    receipt_id: str | None
    transaction_id: str | None
    created_at: datetime
    closed_at: datetime | None


class DarajaAnswer(BaseModel):
    """What DebtX answers Daraja: ResultCode 0 accepts, anything else refuses."""

    ResultCode: int | str
    ResultDesc: str


ACCEPTED = DarajaAnswer(ResultCode=0, ResultDesc="Accepted")


class StkCallbackItem(BaseModel):
    Name: str
    Value: int | float | str | None = None


class StkCallbackMetadata(BaseModel):
    Item: list[StkCallbackItem]


class StkCallbackResult(BaseModel):
    MerchantRequestID: str
    CheckoutRequestID: str
    ResultCode: int
    ResultDesc: str
    CallbackMetadata: StkCallbackMetadata | None = None  # ResultCode 0 only


class StkCallbackInner(BaseModel):
    stkCallback: StkCallbackResult


class StkCallbackBody(BaseModel):
    """Daraja's STK callback, as documented (for the OpenAPI document; read leniently)."""

    Body: StkCallbackInner


class C2BCallbackBody(BaseModel):
    """Daraja's C2B validation and confirmation body (for the OpenAPI document)."""

    TransactionType: str
    TransID: str
    TransTime: str = Field(examples=["20261204153012"])
    TransAmount: str = Field(examples=["1500.00"])
    BusinessShortCode: str
    BillRefNumber: str | None = None
    InvoiceNumber: str | None = None
    OrgAccountBalance: str | None = None
    ThirdPartyTransID: str | None = None
    MSISDN: str | None = None
    FirstName: str | None = None
    MiddleName: str | None = None
    LastName: str | None = None
