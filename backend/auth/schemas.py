from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr

from backend.users.models import Role


class DevSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class DevToken(BaseModel):
    id_token: str
    token_type: str = "Bearer"
    expires_in: int
    uid: str
    role: Role
