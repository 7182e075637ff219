"""The performance routes: who may ask for what, and what a bad window is."""

from __future__ import annotations

from tests.backend.performance.world import build_world
from tests.factories import bearer


async def test_the_routes_answer_within_reach(client, signing_key):
    world = await build_world()
    supervisor, officer = (
        bearer(signing_key, world.supervisor),
        bearer(signing_key, world.officers[0]),
    )
    for path in ("phases", "recovery", "officers", "aging"):
        response = await client.get(f"/performance/{path}", headers=supervisor)
        assert response.status_code == 200, (path, response.text)
    compared = await client.get("/performance/drcs", headers=bearer(signing_key, world.admin))
    assert [row["id"] for row in compared.json()["rows"]] == [world.drc_a, world.drc_b]
    refused = await client.get("/performance/drcs", headers=supervisor)
    assert refused.status_code == 403
    assert (await client.get("/performance/drcs", headers=officer)).status_code == 403
    mine = await client.get("/performance/officers", headers=officer)
    assert [row["id"] for row in mine.json()["rows"]] == [world.officers[0].id]
    other = await client.get(f"/performance/aging?drc_id={world.drc_b}", headers=supervisor)
    assert other.status_code == 404 and other.json()["code"] == "drc.not_found"
    too_long = await client.get("/performance/recovery?months=25", headers=supervisor)
    assert too_long.status_code == 422
