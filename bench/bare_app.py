"""The baseline: FastAPI with one route returning a small JSON object, no middleware.

Served the same way as DebtX (one uvicorn worker) so the difference between the
two is what DebtX does per request: middleware, token verification, the database.
"""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/")
    async def hello() -> dict[str, str]:
        return {"status": "ok", "service": "bare"}

    return app
