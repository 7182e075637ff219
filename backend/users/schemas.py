from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from backend.users.models import Role

Uid = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{7,15}$")]
DrcId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{2,32}$")]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uid: Uid
    email: EmailStr
    display_name: Name
    role: Role
    drc_id: DrcId | None = None
    phone: Phone | None = None
    area: Name | None = None

    @model_validator(mode="after")
    def _drc_matches_role(self) -> UserCreate:
        if self.role.belongs_to_drc and not self.drc_id:
            raise ValueError(f"{self.role} needs a drc_id")
        if self.role.is_operator and self.drc_id:
            raise ValueError(f"{self.role} is operator staff and takes no drc_id")
        return self


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: Name | None = None
    phone: Phone | None = None
    area: Name | None = None
    active: bool | None = None
    role: Role | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uid: str = Field(validation_alias="id")
    email: str
    display_name: str
    role: Role
    drc_id: str | None
    phone: str | None
    area: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
