"""The hourly sweep rejects pending requests whose case has closed."""

from __future__ import annotations

from backend.requests.models import OfficerRequest, RequestStatus
from backend.requests.tasks import run_reject_moot
from backend.users.models import Role
from backend.worker.schedule import BEAT_SCHEDULE
from tests.factories import bearer, make_case, make_user


async def test_pending_requests_on_closed_cases_are_rejected(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    operator = await make_user(Role.OPERATOR_ADMIN)
    open_case, closing = [await make_case("negotiation", ro=officer) for _ in range(2)]
    for case in (open_case, closing):
        response = await client.post(
            f"/cases/{case.id}/requests",
            json={"type": "mediation_board_letter"},
            headers=bearer(signing_key, officer),
        )
        assert response.status_code == 201
    await client.post(
        f"/cases/{closing.id}/withdraw",
        json={"reason": "paid at branch"},
        headers=bearer(signing_key, operator),
    )
    assert await run_reject_moot() == 1
    assert await run_reject_moot() == 0
    swept = await OfficerRequest.find_one({"case_id": str(closing.id)})
    assert swept.status is RequestStatus.REJECTED and swept.decision.by == "system"
    kept = await OfficerRequest.find_one({"case_id": str(open_case.id)})
    assert kept.status is RequestStatus.PENDING


def test_the_sweep_is_registered_and_scheduled():
    from backend.worker.app import celery_app

    celery_app.loader.import_default_modules()
    assert "requests.reject_moot" in celery_app.tasks
    assert BEAT_SCHEDULE["requests.reject_moot"]["task"] == "requests.reject_moot"
