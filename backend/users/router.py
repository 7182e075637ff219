from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from backend.auth.deps import CurrentUser
from backend.core.pagination import Cursor, Limit, Page
from backend.users import service
from backend.users.models import Role
from backend.users.schemas import DRC_ID_PATTERN, ProfileUpdate, UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", summary="The signed-in account")
async def me(user: CurrentUser) -> UserRead:
    """Who the token belongs to, with role and DRC."""
    return UserRead.model_validate(user)


@router.patch("/me", summary="Update your own profile")
async def update_me(user: CurrentUser, body: ProfileUpdate) -> UserRead:
    """Display name and phone; role, DRC and active flag are for managers."""
    return UserRead.model_validate(await service.update_profile(actor=user, data=body))


@router.get("", summary="List users")
async def list_users(
    actor: CurrentUser,
    drc_id: Annotated[str | None, Query(pattern=DRC_ID_PATTERN)] = None,
    role: Role | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[UserRead]:
    """Operators see everyone; supervisors their own DRC."""
    return await service.list_for(actor=actor, drc_id=drc_id, role=role, cursor=cursor, limit=limit)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a user")
async def create_user(actor: CurrentUser, body: UserCreate) -> UserRead:
    """Operator admins create anyone; supervisors create officers of their DRC."""
    return UserRead.model_validate(await service.create_user(actor=actor, data=body))


@router.get("/{uid}", summary="One user")
async def get_user(actor: CurrentUser, uid: str) -> UserRead:
    """404 when the caller may not see the user."""
    return UserRead.model_validate(await service.get_for(actor=actor, uid=uid))


@router.patch("/{uid}", summary="Update a user")
async def update_user(actor: CurrentUser, uid: str, body: UserUpdate) -> UserRead:
    """Profile, role and active flag; disabling takes effect on the next request."""
    return UserRead.model_validate(await service.update_user(actor=actor, uid=uid, data=body))
