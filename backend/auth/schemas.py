from __future__ import annotations

from pydantic import BaseModel

from backend.core.schemas import RequestModel
from backend.users.models import Role
from backend.users.schemas import Email


class DevSignIn(RequestModel):
    email: Email


class DevToken(BaseModel):
    id_token: str
    token_type: str = "Bearer"
    expires_in: int
    uid: str
    role: Role
