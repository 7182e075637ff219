"""User accounts: who may sign in, with which role, for which DRC."""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.core import db
from backend.core.errors import Forbidden
from backend.core.pagination import Page
from backend.drcs import service as drcs
from backend.users import repository
from backend.users.errors import DrcMismatch, RoleChangeInvalid, UserNotFound
from backend.users.models import Role, User
from backend.users.schemas import ProfileUpdate, UserCreate, UserRead, UserUpdate
from sync import changelog

_AUDITED = ("email", "display_name", "role", "drc_id", "phone", "area", "active")


def _summary(user: User) -> dict:
    return {k: getattr(user, k) for k in _AUDITED}


def can_manage(actor: User, *, role: Role, drc_id: str | None) -> bool:
    """Operator admins manage everyone; supervisors manage their own DRC's officers."""
    if actor.role is Role.OPERATOR_ADMIN:
        return True
    return (
        actor.role is Role.DRC_SUPERVISOR
        and role is Role.RECOVERY_OFFICER
        and drc_id == actor.drc_id
    )


def can_see(actor: User, user: User) -> bool:
    if actor.is_operator or actor.id == user.id:
        return True
    return actor.role is Role.DRC_SUPERVISOR and user.drc_id == actor.drc_id


async def get_for(*, actor: User, uid: str) -> User:
    """A user the actor may see, else UserNotFound (ids do not leak)."""
    user = await repository.get(uid)
    if user is None or not can_see(actor, user):
        raise UserNotFound(f"No user {uid}")
    return user


async def create_user(*, actor: User | None, data: UserCreate) -> User:
    """Create an account; `actor` None is the system (demo data, bootstrap)."""
    if data.role.belongs_to_drc != (data.drc_id is not None):
        raise DrcMismatch.on(
            "drc_id", f"{data.role} {'needs' if data.role.belongs_to_drc else 'takes no'} drc_id"
        )
    if actor is not None and not can_manage(actor, role=data.role, drc_id=data.drc_id):
        raise Forbidden("You may not create this kind of user")
    if data.drc_id is not None:
        await drcs.require_active(data.drc_id)
    user = User(id=data.uid, **data.model_dump(exclude={"uid"}))
    async with db.transaction() as session:
        await repository.insert(user, session=session)
        await _staff_changed(user.id, session=session)
        await audit.record(
            actor=actor,
            action="user.create",
            entity_type="user",
            entity_id=user.id,
            after=_summary(user),
            drc_id=user.drc_id,
            session=session,
        )
    return user


async def update_user(*, actor: User, uid: str, data: UserUpdate) -> User:
    """Change a user's profile, role or active flag."""
    user = await get_for(actor=actor, uid=uid)
    target_role = data.role or user.role
    if not can_manage(actor, role=user.role, drc_id=user.drc_id) or not can_manage(
        actor, role=target_role, drc_id=user.drc_id
    ):
        raise Forbidden("You may not change this user")
    if target_role.is_operator != user.role.is_operator:
        raise RoleChangeInvalid.on("role", "A user cannot move between operator staff and a DRC")
    return await _apply(actor, user, data.model_dump(exclude_unset=True))


async def update_profile(*, actor: User, data: ProfileUpdate) -> User:
    """A user's own display name and phone."""
    return await _apply(actor, actor, data.model_dump(exclude_unset=True))


async def _apply(actor: User, user: User, changes: dict) -> User:
    await audit.update_audited(
        actor=actor,
        target=user,
        entity_type="user",
        changes=changes,
        summary=_summary,
        write=_write,
        drc_id=user.drc_id,
    )
    return user


async def _write(uid: str, fields: dict, *, session: AsyncClientSession) -> None:
    await repository.set_fields(uid, fields, session=session)
    await _staff_changed(uid, session=session)


async def _staff_changed(uid: str, *, session: AsyncClientSession) -> None:
    """Role, DRC and active flag reach Firestore (its security rules read them)."""
    await changelog.append(
        entity="user", entity_id=uid, action="user.change", before=[], after=[], session=session
    )


async def list_for(
    *, actor: User, drc_id: str | None, role: Role | None, cursor: str | None, limit: int
) -> Page[UserRead]:
    """Operators list anyone; supervisors their DRC; officers nobody."""
    if actor.role is Role.DRC_SUPERVISOR:
        drc_id = actor.drc_id
    elif not actor.is_operator:
        raise Forbidden("Recovery officers cannot list users")
    rows = await repository.list_users(drc_id=drc_id, role=role, after=cursor, limit=limit + 1)
    items = [UserRead.model_validate(u) for u in rows[:limit]]
    return Page(items=items, next_cursor=rows[limit - 1].id if len(rows) > limit else None)


async def by_uid(uid: str) -> User | None:
    """The account behind a verified token, if any."""
    return await repository.get(uid)


async def by_email(email: str) -> User | None:
    return await repository.get_by_email(email)


async def names_of(uids: list[str]) -> dict[str, str]:
    """Display names by uid, for lists that show who did something."""
    return await repository.names(uids)


async def officers_of(drc_id: str) -> list[User]:
    return await repository.in_drc(drc_id, Role.RECOVERY_OFFICER)


async def active_officers() -> list[User]:
    """Every active recovery officer, by DRC (operator staff's figures)."""
    return await repository.active_with_role(Role.RECOVERY_OFFICER)


async def supervisors_of(drc_id: str) -> list[User]:
    return await repository.in_drc(drc_id, Role.DRC_SUPERVISOR)


async def officer_ids() -> list[str]:
    """Every recovery officer's uid, active or not (for mirror checks)."""
    return await repository.ids_with_role(Role.RECOVERY_OFFICER)


async def officer_ids_of(drc_id: str) -> list[str]:
    """The uids of a DRC's recovery officers, active or not."""
    return [user.id for user in await repository.in_drc(drc_id, Role.RECOVERY_OFFICER)]
