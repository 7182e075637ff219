"""What travels between the app and the engine: mutations in, one result each out.

The same shapes serve `POST /sync/push` and the Firestore outbox; their JSON Schemas
are published in mobile_contract/sync/.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from backend.core.schemas import JsonNumber, Timestamp
from sync import keeping

# A value the engine seals at rest when the application says so (sync/keeping.py)
Kept = Annotated[Any, BeforeValidator(keeping.opened)]
ClientId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
MutationId = Annotated[int, Field(ge=1, le=2**53), JsonNumber]
Name = Annotated[str, Field(pattern=r"^[a-z_]+\.[a-z_]+$", max_length=64)]
Version = Annotated[str, Field(pattern=r"^\d{1,4}(\.\d{1,4}){0,2}$")]


class Status(StrEnum):
    APPLIED = "applied"  # done as asked
    MERGED = "merged"  # done, with a conflict resolved (see `resolutions`)
    REJECTED = "rejected"  # permanent; kept in the review inbox
    QUARANTINED = "quarantined"  # the sender no longer holds the target; kept for review
    RETRY = "retry"  # transient; send the same mutation again later


SETTLED = frozenset({Status.APPLIED, Status.MERGED})
KEPT_FOR_REVIEW = frozenset({Status.REJECTED, Status.QUARANTINED})


class Rule(StrEnum):
    """How a true clash on one field is settled; the losing value is always kept."""

    SERVER_WINS = "server_wins"
    CLIENT_WINS = "client_wins"
    LATER_DEVICE_TIME = "later_device_time"  # ties go to the server
    MANUAL = "manual"  # the server value stays until a supervisor decides
    FURTHEST = "furthest"  # forward-only states keep the furthest one reached


class Winner(StrEnum):
    CLIENT = "client"
    SERVER = "server"
    PENDING = "pending"  # manual: a reviewer decides


class Resolution(BaseModel):
    """One field where the mutation met a change it had not seen."""

    field: str
    rule: Rule
    winner: Winner
    client_value: Kept = None
    server_value: Kept = None


class Mutation(BaseModel):
    """One named business action the app recorded, possibly long before it is sent."""

    model_config = ConfigDict(extra="forbid")

    client_id: ClientId
    mutation_id: MutationId
    name: Name
    args: dict[str, Any]
    base_version: Annotated[int, Field(ge=0, le=2**53), JsonNumber] | None = None
    device_time: Timestamp
    app_version: Version
    schema_version: Annotated[int, Field(ge=1, le=2**31), JsonNumber]
    depends_on: list[MutationId] = Field(default=[], max_length=20)


class Result(BaseModel):
    """The engine's answer for one mutation; a replay gets the same answer."""

    client_id: str
    mutation_id: int
    status: Status
    code: str | None = None
    message: str | None = None
    resolutions: list[Resolution] = []
    entity: str | None = None  # "case:<id>" the mutation acted on
    server_version: int | None = None
    review_id: str | None = None  # the review inbox item, when one was opened


class PushBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mutations: list[Mutation] = Field(min_length=1, max_length=500)


class PushResults(BaseModel):
    results: list[Result]


class Change(BaseModel):
    """One entry of a pull: the entity's current state, or its removal from the caller."""

    cursor: str
    entity: str
    id: str
    op: str  # "upsert" | "remove"
    version: int | None = None
    data: dict[str, Any] | None = None


class PullPage(BaseModel):
    changes: list[Change]
    next: str | None = Field(description="Send as `since` for the next page; null after a reset")
    has_more: bool
    reset: bool = Field(
        default=False, description="The cursor is older than retained history: sync again"
    )
