"""The console's own routes beside its pages: the landing redirect and the not-found page."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import RedirectResponse, Response

from backend.console.deps import SignedIn
from backend.console.nav import home_for
from backend.console.routing import ConsoleRoute
from backend.core.errors import RouteNotFound

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
# Registered last, after every page: anything else under /console is the not-found page.
fallback = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


@router.get("")
async def home(caller: SignedIn) -> Response:
    """Each role lands on its main page."""
    return RedirectResponse(home_for(caller.user.role), status_code=303)


@fallback.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def not_found(path: str) -> Response:
    raise RouteNotFound(f"No console page at /console/{path}")
