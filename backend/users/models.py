from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field
from pymongo import ASCENDING, IndexModel

from backend.core import clock
from backend.core.models import KeyedDocument


class Role(StrEnum):
    OPERATOR_ADMIN = "operator_admin"
    OPERATOR_OFFICER = "operator_officer"
    DRC_SUPERVISOR = "drc_supervisor"
    RECOVERY_OFFICER = "recovery_officer"

    @property
    def is_operator(self) -> bool:
        return self in (Role.OPERATOR_ADMIN, Role.OPERATOR_OFFICER)

    @property
    def belongs_to_drc(self) -> bool:
        return not self.is_operator


OPERATOR_ROLES = frozenset({Role.OPERATOR_ADMIN, Role.OPERATOR_OFFICER})


class User(KeyedDocument):
    """A DebtX account, keyed by Firebase Auth uid. This record, not the token, holds the role."""

    id: str
    email: str
    display_name: str
    role: Role
    drc_id: str | None = None
    phone: str | None = None
    area: str | None = None
    active: bool = True
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "users"
        indexes = [
            IndexModel([("email", ASCENDING)], unique=True),
            IndexModel([("drc_id", ASCENDING), ("role", ASCENDING)]),
        ]

    @property
    def is_operator(self) -> bool:
        return self.role.is_operator
