"""Use cases take the case their caller loaded; the version guard catches it gone stale."""

from __future__ import annotations

import pytest

from backend.cases import service as cases
from backend.cases.errors import CaseChanged
from backend.negotiations import service as negotiations
from backend.negotiations.models import Negotiation, Promise
from backend.users.models import Role
from tests.backend.payments.helpers import promised
from tests.factories import make_case, make_user


async def test_a_contact_on_a_case_changed_since_it_was_loaded_is_a_retryable_conflict():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    stale = await cases.get_unscoped(str(case.id))
    assert stale is not None
    first = await negotiations.record_negotiation(actor=officer, case=case, data=promised(10_000))
    assert first.promise is not None and first.promise.state == "open"
    with pytest.raises(CaseChanged) as refused:
        await negotiations.record_negotiation(actor=officer, case=stale, data=promised(20_000))
    assert refused.value.retryable
    # Nothing of the refused contact was kept: neither the record nor its promise.
    assert await Negotiation.find({"case_id": str(case.id)}).count() == 1
    assert await Promise.find({"case_id": str(case.id)}).count() == 1
