"""Every case-scoped route refuses callers outside the case's reach with 404, before it
reads the body: an officer of the same DRC who does not hold the case, an officer of
another DRC, and a supervisor of another DRC. The routes are discovered from the app,
so a new route is covered the day it is added."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from backend.cases.models import Case
from backend.main import DOMAIN_ROUTERS
from backend.users.models import Role
from tests.factories import bearer, make_case, make_user

_OTHER_PARAMS = re.compile(r"\{(?!case_id\})[a-z_]+\}")


def _case_routes() -> list[tuple[str, str]]:
    routes = []
    for router in DOMAIN_ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and "{case_id}" in route.path:
                routes += [(method, route.path) for method in sorted(route.methods)]
    return sorted(set(routes))


CASE_ROUTES = _case_routes()
OUTSIDERS = ("officer_same_drc", "officer_other_drc", "supervisor_other_drc")


def test_case_scoped_routes_are_discovered():
    assert ("GET", "/cases/{case_id}") in CASE_ROUTES


@pytest.fixture
async def held_case() -> Case:
    holder = await make_user(Role.RECOVERY_OFFICER)
    return await make_case("negotiation", ro=holder)


async def _outsider(kind: str, case: Case):
    if kind == "officer_same_drc":
        return await make_user(Role.RECOVERY_OFFICER, drc_id=case.drc_id)
    if kind == "officer_other_drc":
        return await make_user(Role.RECOVERY_OFFICER)
    return await make_user(Role.DRC_SUPERVISOR)


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize(("method", "path"), CASE_ROUTES, ids=[f"{m} {p}" for m, p in CASE_ROUTES])
async def test_outsiders_get_404(client, signing_key, held_case, method, path, outsider):
    actor = await _outsider(outsider, held_case)
    url = _OTHER_PARAMS.sub("x", path.replace("{case_id}", str(held_case.id)))
    before = (await Case.get(held_case.id)).version
    kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    response = await client.request(method, url, headers=bearer(signing_key, actor), **kwargs)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "case.not_found"
    assert (await Case.get(held_case.id)).version == before
