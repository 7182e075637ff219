"""Plain async factories: `await make_user(role=Role.RECOVERY_OFFICER)`."""

from __future__ import annotations

import itertools

from backend.drcs import service as drcs
from backend.drcs.models import Drc
from backend.drcs.schemas import DrcCreate
from backend.firebase.devkeys import SigningKey
from backend.users import service as users
from backend.users.models import Role, User
from backend.users.schemas import UserCreate
from tests.conftest import PROJECT_ID

_seq = itertools.count(1)


async def make_drc(drc_id: str | None = None, **fields) -> Drc:
    drc_id = drc_id or f"DRC-T{next(_seq)}"
    return await drcs.create_drc(
        actor=None, data=DrcCreate(id=drc_id, name=f"{drc_id} Ltd", **fields)
    )


async def make_user(
    role: Role = Role.RECOVERY_OFFICER, *, drc_id: str | None = None, active: bool = True, **fields
) -> User:
    n = next(_seq)
    if role.belongs_to_drc and drc_id is None:
        drc_id = (await make_drc()).id
    user = await users.create_user(
        actor=None,
        data=UserCreate(
            uid=f"u{n}-{role.value}",
            email=f"user{n}@test.debtx.dev",
            display_name=f"Test {role.value} {n}",
            role=role,
            drc_id=drc_id,
            **fields,
        ),
    )
    if not active:
        from backend.users import repository

        await repository.set_fields(user.id, {"active": False})
        user.active = False
    return user


def bearer(key: SigningKey, user: User | str, **claims) -> dict[str, str]:
    uid = user if isinstance(user, str) else user.id
    return {"Authorization": f"Bearer {key.mint(uid=uid, project_id=PROJECT_ID, **claims)}"}
