"""The equipment visits officers may record offline (policies: backend/cases/mutations.py)."""

from __future__ import annotations

from backend.cases.mutations import CaseMutation, OnCase, applied, case_of, on_case
from backend.cpe import service
from backend.cpe.errors import CpeRegression
from backend.cpe.schemas import CpeItemRecord
from sync.protocol import Resolution, Rule, Winner
from sync.registry import Applied, Policy


async def _record_item(call: OnCase[CpeItemRecord]) -> Applied:
    """Record the visit, or keep the item's further status as a merge."""
    data = call.args
    try:
        await service.record_item(
            actor=call.actor, case=case_of(call), data=data, session=call.session
        )
    except CpeRegression as kept:
        resolution = Resolution(
            field=f"cpe.{data.serial}.status",
            rule=Rule.FURTHEST,
            winner=Winner.SERVER,
            client_value=data.status.value,
            server_value=kept.extra.get("current"),
        )
        return applied(call, [resolution])
    return applied(call)


RECORD_ITEM = CaseMutation(
    "cpe.record_item",
    args=on_case(CpeItemRecord),
    policy=Policy.FORWARD_ONLY,
    summary="Record a visit's result for one equipment item",
    apply=_record_item,
)
