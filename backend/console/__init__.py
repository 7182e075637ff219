"""The web console for DRC supervisors and operator staff, served by the API's app.

Server-rendered Jinja2 pages with htmx; every asset is built at setup from npm packages
(`assets/`) into `static/` and served from here, so nothing loads from elsewhere.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from backend.console import (
    accounts,
    allocation,
    cases,
    commission,
    cpe,
    dashboard,
    disputes,
    drcs,
    experiments,
    inbox,
    legal,
    message_templates,
    receipts,
    reconciliation,
    reports,
    requests,
    router,
    segments,
    signin,
    strategies,
    uploads,
    users,
    worklist,
)
from backend.console.deps import ConsoleState
from backend.console.templates import STATIC_DIR
from backend.core.logging import get_logger
from backend.core.settings import Settings

log = get_logger("debtx.console")


class Assets(StaticFiles):
    """The built assets. Pages link them with a digest in the URL, so they cache for good."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["cache-control"] = "public, max-age=31536000, immutable"
        response.headers["x-content-type-options"] = "nosniff"
        return response


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the console under /console; none of it is part of the API's OpenAPI document."""
    if not (STATIC_DIR / "console.css").is_file():
        log.warning(
            "console.assets_missing", hint="run `make setup` to build backend/console/static"
        )
    app.state.console = ConsoleState.of(settings)
    app.mount("/console/static", Assets(directory=STATIC_DIR, check_dir=False), name="console")
    pages_in_order = (
        router.router,
        signin.router,
        cases.router,
        dashboard.router,
        inbox.router,
        requests.router,
        cpe.router,
        legal.router,
        uploads.router,
        commission.router,
        allocation.router,
        message_templates.router,
        segments.router,
        strategies.router,
        experiments.router,
        accounts.router,
        worklist.router,
        disputes.router,
        receipts.router,
        reconciliation.router,
        users.router,
        drcs.router,
        reports.router,
        router.fallback,
    )
    for pages in pages_in_order:
        app.include_router(pages)
