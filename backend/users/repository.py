"""The only code that queries the users collection."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import db
from backend.users.errors import UserExists
from backend.users.models import Role, User


async def get(uid: str) -> User | None:
    return await User.get(uid)


async def get_by_email(email: str) -> User | None:
    return await User.find_one({"email": email})


async def insert(user: User, *, session: AsyncClientSession | None = None) -> User:
    return await db.insert_new(
        user, exists=UserExists(f"User {user.id} or {user.email} already exists"), session=session
    )


async def set_fields(
    uid: str, fields: dict[str, Any], *, session: AsyncClientSession | None = None
) -> None:
    await db.set_fields(User, uid, fields, session=session)


async def list_users(
    *, drc_id: str | None, role: Role | None, after: str | None, limit: int
) -> list[User]:
    filters: dict[str, Any] = {}
    if drc_id is not None:
        filters["drc_id"] = drc_id
    if role is not None:
        filters["role"] = role.value
    if after is not None:
        filters["_id"] = {"$gt": after}
    return await User.find(filters).sort("_id").limit(limit).to_list()


async def in_drc(drc_id: str, role: Role) -> list[User]:
    return await User.find({"drc_id": drc_id, "role": role.value, "active": True}).to_list()


async def ids_with_role(role: Role) -> list[str]:
    cursor = User.get_pymongo_collection().find({"role": role.value}, {"_id": 1})
    return [doc["_id"] async for doc in cursor]


async def active_with_role(role: Role) -> list[User]:
    return await User.find({"role": role.value, "active": True}).sort("drc_id", "_id").to_list()


async def names(uids: list[str]) -> dict[str, str]:
    """Display names of `uids` (those that exist), in one query."""
    rows = await db.find_by_keys(User, "_id", uids, projection={"display_name": 1})
    return {row["_id"]: row["display_name"] for row in rows}
