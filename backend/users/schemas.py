from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.core.schemas import RequestModel, StrictBool, omittable
from backend.users.models import Role

Uid = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
# No leading or trailing blanks; written so Python and ECMA regexes agree on it.
TRIMMED = r"^[^ \t\r\n](.*[^ \t\r\n])?$"
Name = Annotated[str, StringConstraints(max_length=120, pattern=TRIMMED)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{7,15}$")]
# A plain, documented pattern rather than deliverability rules, so clients can check
# an address exactly as the server will.
Email = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$",
        max_length=254,
        to_lower=True,
    ),
]
DRC_ID_PATTERN = r"^[A-Z0-9-]{2,32}$"
DrcId = Annotated[str, StringConstraints(pattern=DRC_ID_PATTERN)]


class UserCreate(RequestModel):
    uid: Uid
    email: Email
    display_name: Name
    role: Role
    drc_id: DrcId | None = None
    phone: Phone | None = None
    area: Name | None = None


class ProfileUpdate(RequestModel):
    """What users may change about themselves."""

    display_name: Name = omittable()
    phone: Phone | None = None


class UserUpdate(RequestModel):
    display_name: Name = omittable()
    phone: Phone | None = None
    area: Name | None = None
    active: StrictBool = omittable()
    role: Role = omittable()


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
