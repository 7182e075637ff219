"""What the engine stores: each client's ledger, each mutation's result, the review
inbox, the change log and the mirror's place in it.

Who may see something is an audience: an opaque string the application hands in (DebtX's
"ro:<uid>" and "drc:<id>"); the engine only compares audiences, it never reads them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from beanie import Document
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock
from backend.core.models import KeyedDocument
from sync import keeping
from sync.protocol import Resolution, Result

# How the documents below store what they keep: arguments and conflict values sealed
# when the application installed a sealer (sync/keeping.py)
KEEPING: dict[type, Any] = {
    keeping.Kept: keeping.keep,
    Resolution: lambda r: keeping.keeping_fields(r, ("client_value", "server_value")),
}
KeptArgs = Annotated[dict[str, Any], BeforeValidator(keeping.opened), AfterValidator(keeping.Kept)]


class SyncClient(KeyedDocument):
    """One app installation of one user: the last mutation applied from it."""

    id: str  # client_id
    uid: str
    last_mutation_id: int = 0
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "sync_clients"
        indexes = [IndexModel([("uid", ASCENDING)])]


class Review(BaseModel):
    """What a reviewer did with a mutation kept in the inbox."""

    status: str  # reapplied | dismissed
    by: str
    at: datetime = Field(default_factory=clock.now)
    note: str | None = None
    result: Result | None = None  # the outcome of re-applying


class MutationRecord(KeyedDocument):
    """The answer given to one mutation, returned again on every replay."""

    id: str  # "<client_id>:<mutation_id>"
    client_id: str
    mutation_id: int
    uid: str
    name: str
    result: Result
    review: Review | None = None
    at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "sync_mutations"
        bson_encoders = KEEPING
        indexes = [
            IndexModel([("uid", ASCENDING), ("at", DESCENDING)]),
            IndexModel([("at", ASCENDING)]),
        ]


class InboxKind(StrEnum):
    REJECTED = "rejected"
    QUARANTINED = "quarantined"
    CONFLICT = "conflict"


class InboxStatus(StrEnum):
    OPEN = "open"  # waits for a reviewer
    RESOLVED = "resolved"  # a conflict settled by its field's rule; kept to see and override
    REAPPLIED = "reapplied"
    DISMISSED = "dismissed"


class InboxItem(Document):
    """A mutation a supervisor should see: its payload, why, and both values."""

    kind: InboxKind
    status: InboxStatus
    client_id: str
    mutation_id: int
    uid: str  # the user who sent it
    audience: list[str] = []  # who sees what becomes of it: the sender's own audience
    reviewers: list[str] = []  # audiences whose reviewers may decide it, besides those who
    # decide every item
    name: str
    args: KeptArgs
    base_version: int | None
    device_time: datetime
    entity: str | None = None
    code: str
    reason: str
    resolutions: list[Resolution] = []
    review: Review | None = None
    created_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "sync_inbox"
        bson_encoders = KEEPING
        indexes = [
            IndexModel([("reviewers", ASCENDING), ("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("client_id", ASCENDING), ("mutation_id", ASCENDING)]),
        ]


class QueuedChange(Document):
    """A change committed with its transaction, waiting for its place in the log."""

    entity: str
    entity_id: str
    version: int | None = None
    audience: list[str]  # audiences that saw the entity before or see it after
    holders: list[str]  # audiences that see it after; the others get a removal
    action: str
    sections: list[str] | None = None  # what of the entity's read model changed; None: any
    at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "sync_change_queue"


class ChangeEntry(KeyedDocument):
    """A change with its place in the log: `id` is the cursor, gap-free and increasing."""

    id: int
    entity: str
    entity_id: str
    version: int | None = None
    audience: list[str]
    holders: list[str]
    action: str
    sections: list[str] | None = None
    at: datetime
    sequenced_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "sync_changes"
        indexes = [
            IndexModel([("audience", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("sequenced_at", ASCENDING)]),
            # Reads of every change after a cursor (the mirror's), an `_id` range: MongoDB
            # answers it from the `_id` index, SecantusDB only from a secondary index that
            # starts with `_id` (without one it scans the whole log: 77 ms a read at 3,000
            # entries, growing with the log).
            IndexModel([("_id", ASCENDING), ("entity", ASCENDING)], name="cursor_range"),
        ]


class LogState(KeyedDocument):
    """The log's counters: the last cursor handed out and the oldest still kept."""

    id: str = "changes"
    last: int = 0
    floor: int = 0  # entries up to this one were pruned: older cursors get a reset

    class Settings:
        name = "sync_log_state"


class MirrorState(KeyedDocument):
    """Where the mirror is in the log, and how far behind."""

    id: str = "firestore"
    cursor: int = 0
    backlog: int = 0
    lag_seconds: float = 0.0  # commit to Firestore, for the last page written
    written: int = 0
    dead_letters: int = 0
    last_error: str | None = None
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "mirror_state"


class DeadLetter(Document):
    """A write Firestore kept refusing; repair (or a person) takes it from here."""

    path: str
    data: KeptArgs | None  # the phone's case document: a customer's contacts, sealed
    version: int
    error: str
    attempts: int
    at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "mirror_dead_letters"
        bson_encoders = KEEPING


MODELS = (
    SyncClient,
    MutationRecord,
    InboxItem,
    QueuedChange,
    ChangeEntry,
    LogState,
    MirrorState,
    DeadLetter,
)
