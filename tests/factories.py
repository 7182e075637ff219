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


async def make_account(
    *,
    customer_id: str | None = None,
    products: int = 1,
    arrears: int = 150_000,
    cpe: bool = True,
    region: str = "Western",
    currency: str = "LKR",
):
    """A customer and an account with `products` products, each with arrears and a router."""
    from backend.core.money import Money
    from backend.customers.models import Account, Contact, ContactKind, CpeItem, Customer, Product

    n = next(_seq)
    customer_id = customer_id or f"CUS-{n:06d}"
    if await Customer.get(customer_id) is None:
        await Customer(
            id=customer_id,
            name=f"Customer {n}",
            region=region,
            contacts=[Contact(kind=ContactKind.MOBILE, value=f"+9477{n:07d}", primary=True)],
        ).insert()
    account = Account(
        id=f"ACC-{n:08d}",
        customer_id=customer_id,
        region=region,
        products=[
            Product(
                id=f"P{n}-{i}",
                type="fibre",
                arrears=Money(amount=arrears, currency=currency),
                cpe=[CpeItem(serial=f"SN{n}{i:03d}", model="HG8245H", type="router")]
                if cpe
                else [],
            )
            for i in range(products)
        ],
    )
    await account.insert()
    return account


async def make_case(
    phase="new",
    *,
    drc_id: str | None = None,
    ro=None,
    action=None,
    arrears: int = 150_000,
    cpe: bool | None = None,
    customer_name: str = "Test Customer",
    currency: str = "LKR",
):
    """A case in `phase`, reached through the state machine like a real one."""
    from datetime import UTC, datetime, timedelta

    from backend.cases import service as cases
    from backend.cases.models import Action, Case, PartStatus, open_key
    from backend.cases.phases import Phase
    from backend.core import db
    from backend.core.money import Money

    phase = Phase(phase)
    action = action or Action.ARREARS_AND_CPE
    account = await make_account(
        arrears=arrears, cpe=action.wants_cpe if cpe is None else cpe, currency=currency
    )
    product = account.products[0]
    case = Case(
        incident_id=f"INC-{next(_seq):08d}",
        customer_id=account.customer_id,
        customer_name=customer_name,
        account_id=account.id,
        product_ids=[product.id],
        action=action,
        region=account.region,
        arrears=Money(amount=arrears, currency=currency),
        outstanding=Money(amount=arrears, currency=currency),
        cpe_items=product.cpe,
        overdue_since=datetime.now(UTC) - timedelta(days=120),
        arrears_status=PartStatus.OPEN if action.wants_arrears else PartStatus.NOT_REQUIRED,
        cpe_status=PartStatus.OPEN if action.wants_cpe else PartStatus.NOT_REQUIRED,
    )
    async with db.transaction() as session:
        case = await cases.open_case(
            actor=None, case=case, keys=[open_key(account.id, product.id, action)], session=session
        )
    if phase is Phase.NEW:
        return case
    if phase is Phase.CLOSED:
        async with db.transaction() as session:
            return await cases.move(
                actor=None, case=case, to=Phase.CLOSED, action="case.close", session=session
            )
    if ro is not None:
        drc_id = ro.drc_id
    drc_id = drc_id or (await make_drc()).id
    steps: list[tuple[Phase, dict]] = [
        (
            Phase.ALLOCATED,
            {"drc_id": drc_id, "validity_until": datetime.now(UTC) + timedelta(days=90)},
        )
    ]
    if phase is not Phase.ALLOCATED:
        ro = ro or await make_user(Role.RECOVERY_OFFICER, drc_id=drc_id)
        steps.append((Phase.ASSIGNED, {"ro_id": ro.id}))
    if phase in (Phase.NEGOTIATION, Phase.SETTLEMENT, Phase.MEDIATION, Phase.LEGAL_REVIEW):
        steps.append((Phase.NEGOTIATION, {}))
    if phase is Phase.SETTLEMENT:
        steps.append((Phase.SETTLEMENT, {}))
    if phase in (Phase.MEDIATION, Phase.LEGAL_REVIEW):
        steps.append((Phase.MEDIATION, {}))
    if phase is Phase.LEGAL_REVIEW:
        steps.append((Phase.LEGAL_REVIEW, {}))
    for target, changes in steps:
        async with db.transaction() as session:
            case = await cases.move(
                actor=None,
                case=case,
                to=target,
                action=f"test.{target.value}",
                changes=changes,
                session=session,
            )
    return case
