"""What the card provider sends (a Stripe-shaped event around a charge) and answers."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

ProviderId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_]{2,63}$")]


class BillingDetails(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    phone: Annotated[str, StringConstraints(max_length=20)] | None = None


class Charge(BaseModel):
    """A card charge as the provider describes it: amounts in minor units."""

    model_config = ConfigDict(extra="ignore")

    id: ProviderId
    amount: Annotated[StrictInt, Field(ge=1, le=10**13)]
    amount_refunded: Annotated[StrictInt, Field(ge=0, le=10**13)] = 0
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
    created: Annotated[StrictInt, Field(ge=0)]
    status: Annotated[str, StringConstraints(max_length=32)]
    refunded: bool = False
    metadata: dict[str, Annotated[str, StringConstraints(max_length=500)]] = {}
    billing_details: BillingDetails = BillingDetails()


class EventData(BaseModel):
    model_config = ConfigDict(extra="ignore")

    object: dict[str, Any]


class ProviderEvent(BaseModel):
    """One webhook: `charge.succeeded` and `charge.refunded` are acted on, others noted."""

    model_config = ConfigDict(extra="ignore")

    id: ProviderId
    type: Annotated[str, StringConstraints(max_length=100)]
    created: Annotated[StrictInt, Field(ge=0)]
    data: EventData


class Outcome(StrEnum):
    BOOKED = "booked"  # the charge went to receipts (booked, or in suspense)
    REFUNDED = "refunded"  # the refund was recorded against the charge's receipt
    ALREADY_PROCESSED = "already_processed"
    IGNORED = "ignored"  # an event type DebtX does not act on, or a charge it never saw


class WebhookAnswer(BaseModel):
    received: bool = True
    event_id: str
    outcome: Outcome
    receipt_id: str | None = None
    receipt_status: str | None = None
    dispute_id: str | None = Field(
        default=None, description="A refund of a booked charge: the dispute staff resolve"
    )
