"""Debt Recovery Companies: registered by the operator, seen by their own staff."""

from __future__ import annotations

from backend.audit import service as audit
from backend.core import db
from backend.core.errors import Forbidden
from backend.drcs import repository
from backend.drcs.errors import DrcNotFound, DrcUnavailable
from backend.drcs.models import Drc
from backend.drcs.schemas import DrcCreate, DrcUpdate
from backend.users.models import Role, User


def _require_admin(actor: User | None) -> None:
    """The routes admit operator admins only; this holds for callers beside them."""
    if actor is not None and actor.role is not Role.OPERATOR_ADMIN:
        raise Forbidden("Only operator admins manage DRCs")


def _summary(drc: Drc) -> dict:
    return drc.model_dump(mode="json", exclude={"id", "revision_id", "created_at", "updated_at"})


async def get_for(*, actor: User, drc_id: str) -> Drc:
    """A DRC the actor may see: operators see all, DRC staff their own."""
    drc = await repository.get(drc_id)
    if drc is None or not (actor.is_operator or actor.drc_id == drc_id):
        raise DrcNotFound(f"No DRC {drc_id}")
    return drc


async def list_for(*, actor: User) -> list[Drc]:
    return await repository.list_all(only=None if actor.is_operator else actor.drc_id)


async def list_all() -> list[Drc]:
    """Every DRC, for system work (allocation) that acts for no signed-in user."""
    return await repository.list_all()


async def require_active(drc_id: str) -> Drc:
    drc = await repository.get(drc_id)
    if drc is None or not drc.active:
        raise DrcUnavailable.on("drc_id", f"DRC {drc_id} does not exist or is inactive")
    return drc


async def create_drc(*, actor: User | None, data: DrcCreate) -> Drc:
    """Register a DRC; `actor` None is the system (demo data)."""
    _require_admin(actor)
    drc = Drc(**data.model_dump())
    async with db.transaction() as session:
        await repository.insert(drc, session=session)
        await audit.record(
            actor=actor,
            action="drc.create",
            entity_type="drc",
            entity_id=drc.id,
            after=_summary(drc),
            drc_id=drc.id,
            session=session,
        )
    return drc


async def update_drc(*, actor: User, drc_id: str, data: DrcUpdate) -> Drc:
    """Change a DRC's profile, capacity, preference or active flag."""
    _require_admin(actor)
    drc = await get_for(actor=actor, drc_id=drc_id)
    await audit.update_audited(
        actor=actor,
        target=drc,
        entity_type="drc",
        changes=data.model_dump(exclude_unset=True),
        summary=_summary,
        write=repository.set_fields,
        drc_id=drc_id,
    )
    return drc
