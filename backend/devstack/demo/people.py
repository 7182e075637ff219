"""The demo organisation: three DRCs, operator staff, and a supervisor and three officers
per DRC."""

from __future__ import annotations

from backend.drcs import service as drcs
from backend.drcs.errors import DrcExists
from backend.drcs.models import AssignmentPreference
from backend.drcs.schemas import DrcCreate
from backend.users import service as users
from backend.users.models import Role, User
from backend.users.schemas import UserCreate

DEMO_DOMAIN = "demo.debtx.dev"

DEMO_DRCS = (
    DrcCreate(
        id="DRC-LANKA",
        name="Lanka Recoveries (Pvt) Ltd",
        regions=["Western", "Southern"],
        capacity=400,
        performance_score=0.72,
        assignment_preference=AssignmentPreference.LEAST_LOADED,
    ),
    DrcCreate(
        id="DRC-CEYLON",
        name="Ceylon Collections",
        regions=["Central", "North Western"],
        capacity=300,
        performance_score=0.64,
        assignment_preference=AssignmentPreference.ROUND_ROBIN,
    ),
    DrcCreate(
        id="DRC-ISLAND",
        name="Island Debt Solutions",
        regions=["Northern", "Eastern"],
        capacity=200,
        performance_score=0.58,
        assignment_preference=AssignmentPreference.BY_AREA,
    ),
)
OFFICER_AREAS = ("Colombo", "Galle", "Kandy")


def demo_users() -> list[UserCreate]:
    """Two operator staff, then a supervisor and three officers per DRC."""
    people = [
        UserCreate(
            uid="op-admin",
            email=f"admin@{DEMO_DOMAIN}",
            display_name="Nirmala Perera",
            role=Role.OPERATOR_ADMIN,
        ),
        UserCreate(
            uid="op-officer",
            email=f"recovery@{DEMO_DOMAIN}",
            display_name="Kasun Silva",
            role=Role.OPERATOR_OFFICER,
        ),
    ]
    for drc in DEMO_DRCS:
        code = slug(drc.id)
        people.append(
            UserCreate(
                uid=f"sup-{code}",
                email=f"supervisor.{code}@{DEMO_DOMAIN}",
                display_name=f"{drc.name.split()[0]} Supervisor",
                role=Role.DRC_SUPERVISOR,
                drc_id=drc.id,
            )
        )
        for n, area in enumerate(OFFICER_AREAS, start=1):
            people.append(
                UserCreate(
                    uid=f"ro-{code}-{n}",
                    email=f"officer{n}.{code}@{DEMO_DOMAIN}",
                    display_name=f"{area} Officer {n} ({drc.name.split()[0]})",
                    role=Role.RECOVERY_OFFICER,
                    drc_id=drc.id,
                    area=area,
                    phone=f"+9477{len(code):03d}{n:04d}",
                )
            )
    return people


async def create_people() -> bool:
    """Register the DRCs and accounts; False when the first DRC is already there."""
    try:
        await drcs.create_drc(actor=None, data=DEMO_DRCS[0])
    except DrcExists:
        return False
    for drc in DEMO_DRCS[1:]:
        await drcs.create_drc(actor=None, data=drc)
    for person in demo_users():
        await users.create_user(actor=None, data=person)
    return True


def slug(drc_id: str) -> str:
    """`DRC-LANKA` -> `lanka`, as the demo uids spell it."""
    return drc_id.removeprefix("DRC-").lower()


async def accounts() -> dict[str, User]:
    """Every demo account by uid, to act as."""
    found = {}
    for person in demo_users():
        user = await users.by_uid(person.uid)
        if user is None:
            raise RuntimeError(f"demo account {person.uid} is missing")
        found[user.id] = user
    return found
