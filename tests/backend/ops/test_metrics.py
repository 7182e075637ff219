async def test_metrics_expose_latency_histograms_per_route(client):
    await client.get("/healthz")
    await client.get("/readyz")
    text = (await client.get("/metrics")).text
    assert 'http_request_duration_seconds_bucket{handler="/healthz"' in text
    assert 'http_request_duration_seconds_bucket{handler="/readyz"' in text
    assert 'http_requests_total{handler="/healthz"' in text
