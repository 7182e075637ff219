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


async def test_readyz_names_the_service_that_is_down(app, client):
    from redis.asyncio import Redis

    from backend.devstack.components import free_port

    resources = app.state.resources
    healthy = resources.redis
    resources.redis = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    try:
        response = await client.get("/readyz")
    finally:
        await resources.redis.aclose()
        resources.redis = healthy
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "service.unavailable" and "redis" in body["detail"]
    assert body["checks"]["mongodb"]["ok"] and not body["checks"]["redis"]["ok"]
