"""The officer's case document shows the STK pushes sent on the case and what became of
them; each change of one tells the case's readers (change log, so the mirror follows)."""

from __future__ import annotations

from backend.cases.sections import Section
from backend.devstack.daraja import CANCELLED, Outcome
from backend.mpesa.models import StkStatus
from backend.syncing import mirror
from sync.models import ChangeEntry, QueuedChange
from tests.backend.mpesa.helpers import PHONE, kenyan_case
from tests.backend.mpesa.test_stk import _queued_from_the_field


async def test_the_case_document_shows_each_push_and_its_outcome(client, signing_key, mpesa):
    case, officer = await kenyan_case()
    mpesa.server.script(Outcome(), Outcome(result_code=CANCELLED))
    _, first = await _queued_from_the_field(client, signing_key, case, officer)
    _, second = await _queued_from_the_field(client, signing_key, case, officer, amount=20_000)
    [queued] = (await mirror.CASE_DOCUMENTS.build([str(case.id)])).values()
    assert [p.status for p in queued.stk_pushes] == [StkStatus.QUEUED, StkStatus.QUEUED]
    for request_id in (first, second):
        await mpesa.send(request_id)
        await mpesa.settled(request_id, booked=request_id == first)
    [doc] = (await mirror.CASE_DOCUMENTS.build([str(case.id)])).values()
    newest, oldest = doc.stk_pushes
    assert (newest.id, newest.status, newest.amount.amount) == (second, StkStatus.CANCELLED, 20_000)
    assert (oldest.id, oldest.status, oldest.phone) == (first, StkStatus.PAID, PHONE)
    assert oldest.closed_at is not None
    stored = doc.firestore()
    assert stored["stk_pushes"][0]["status"] == "cancelled"

    mine = {"entity_id": str(case.id)}
    noted = [*await QueuedChange.find(mine).to_list(), *await ChangeEntry.find(mine).to_list()]
    actions = {c.action for c in noted if Section.STK_PUSHES.value in (c.sections or [])}
    assert {"mpesa.stk_push", "mpesa.stk_sent", "mpesa.stk_paid", "mpesa.stk_closed"} <= actions
