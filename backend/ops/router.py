"""Liveness, readiness: what an orchestrator and an on-call engineer ask first."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.core import db
from backend.core.errors import PROBLEM_JSON, ServiceUnavailable, problem_responses
from backend.firebase import firestore
from backend.resources import Resources

router = APIRouter(tags=["operations"])

_CHECK_TIMEOUT_SECONDS = 3.0


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    """Answers without touching any backing service."""
    return {"status": "ok"}


async def _timed(check: Callable[[], Awaitable[object]]) -> dict[str, object]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), _CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means not ready; say which and why
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


@router.get(
    "/readyz",
    summary="MongoDB, Redis and Firestore are reachable",
    responses=problem_responses(503),
)
async def readyz(request: Request) -> JSONResponse:
    """200 when every backing service answers; 503 problem details naming the ones that don't."""
    resources: Resources = request.app.state.resources
    names = ("mongodb", "redis", "firestore")
    results = await asyncio.gather(
        _timed(lambda: db.ping(resources.mongo)),
        _timed(lambda: resources.redis.ping()),
        _timed(lambda: firestore.ping(resources.firestore)),
    )
    checks = dict(zip(names, results, strict=True))
    if all(c["ok"] for c in checks.values()):
        return JSONResponse({"status": "ok", "checks": checks})
    failing = ", ".join(n for n, c in checks.items() if not c["ok"])
    problem = ServiceUnavailable(f"Not ready: {failing}", checks=checks).problem(
        instance=request.url.path, request_id=request.scope["state"].get("request_id")
    )
    return JSONResponse(problem, status_code=503, media_type=PROBLEM_JSON)
