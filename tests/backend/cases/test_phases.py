"""Every allowed phase transition works; every other one is refused with 409 and a code."""

from __future__ import annotations

import pytest

from backend.cases import service as cases
from backend.cases.errors import IllegalTransition
from backend.cases.models import Case, Outcome
from backend.cases.phases import TRANSITIONS, Phase
from backend.core import db
from tests.factories import make_case

ALLOWED = [(src, dst) for src, targets in TRANSITIONS.items() for dst in sorted(targets)]
ILLEGAL = [
    (src, dst) for src in Phase for dst in Phase if dst not in TRANSITIONS[src] and dst is not src
]


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{s}->{t}" for s, t in ALLOWED])
async def test_allowed_transition(source, target):
    case = await make_case(source)
    async with db.transaction() as session:
        moved = await cases.move(
            actor=None, case=case, to=target, action="test.move", session=session
        )
    stored = await Case.get(case.id)
    assert stored.phase is target and moved.version == case.version == stored.version
    assert stored.history[-1].from_phase is source and stored.history[-1].to_phase is target
    if target is Phase.CLOSED:
        assert stored.closed_at is not None and stored.outcome is Outcome.RECOVERED


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=[f"{s}->{t}" for s, t in ILLEGAL])
async def test_illegal_transition_is_refused_and_changes_nothing(source, target):
    case = await make_case(source)
    version = case.version
    with pytest.raises(IllegalTransition) as refused:
        async with db.transaction() as session:
            await cases.move(actor=None, case=case, to=target, action="test.move", session=session)
    assert refused.value.status == 409 and refused.value.code == "case.illegal_transition"
    stored = await Case.get(case.id)
    assert stored.phase is source and stored.version == version


async def test_a_stale_write_is_refused_not_lost():
    from backend.cases.errors import CaseChanged

    case = await make_case("assigned")
    stale = await Case.get(case.id)
    async with db.transaction() as session:
        await cases.move(actor=None, case=case, to=Phase.NEGOTIATION, action="a", session=session)
    with pytest.raises(CaseChanged):
        async with db.transaction() as session:
            await cases.move(
                actor=None, case=stale, to=Phase.ALLOCATED, action="b", session=session
            )
    assert (await Case.get(case.id)).phase is Phase.NEGOTIATION


async def test_closing_frees_the_account_for_a_new_case():
    from backend.cases.models import OpenCaseKey

    case = await make_case("negotiation")
    assert await OpenCaseKey.find({"case_id": str(case.id)}).count() == 1
    async with db.transaction() as session:
        await cases.move(actor=None, case=case, to=Phase.CLOSED, action="close", session=session)
    assert await OpenCaseKey.find({"case_id": str(case.id)}).count() == 0
