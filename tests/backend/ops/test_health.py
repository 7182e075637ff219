async def test_healthz_answers_without_backing_services(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_every_backing_service(client):
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert set(checks) == {"mongodb", "redis", "firestore"}
    assert all(check["ok"] for check in checks.values())
