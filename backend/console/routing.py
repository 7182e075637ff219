"""Console routes answer in HTML: failures become pages, and every answer gets the headers."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from backend.console.deps import browser_session, console_state
from backend.console.errors import OfficerRefused, SignInRequired
from backend.console.security import page_headers, safe_next
from backend.console.sessions import COOKIE, COOKIE_PATH
from backend.console.templates import render
from backend.core import errors
from backend.core.http import request_id_of
from backend.core.logging import get_logger

log = get_logger("debtx.console")

_PROBLEM_TITLES = {404: "problem.not_found", 403: "problem.refused", 422: "problem.invalid"}
_SIGNED_OUT_CODES = {"auth.account_disabled", "auth.unknown_user"}


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _sign_in_redirect(request: Request) -> Response:
    if _is_htmx(request):
        current = urlsplit(request.headers.get("hx-current-url", ""))
        back = current.path + (f"?{current.query}" if current.query else "")
    else:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = f"/console/sign-in?next={quote(safe_next(back))}"
    if _is_htmx(request):
        return Response(status_code=401, headers={"hx-redirect": target})
    return RedirectResponse(target, status_code=303)


def problem_page(request: Request, problem: errors.DomainError) -> Response:
    """The problem as a page in the caller's language (its detail as the API words it)."""
    caller = getattr(request.state, "console_caller", None)
    response = render(
        request,
        "problem.html",
        session=caller.session if caller else browser_session(request),
        user=caller.user if caller and problem.code not in _SIGNED_OUT_CODES else None,
        status=problem.status,
        problem=problem,
        title_key=_PROBLEM_TITLES.get(problem.status, "problem.title"),
        request_id=request_id_of(request),
    )
    response.headers.update(problem.headers())
    if problem.code in _SIGNED_OUT_CODES:
        response.delete_cookie(COOKIE, path=COOKIE_PATH)
    if _is_htmx(request):
        response.headers["hx-refresh"] = "true"  # the page itself shows the problem
    return response


def _refused_page(request: Request) -> Response:
    caller = request.state.console_caller
    return render(request, "refused.html", session=caller.session, status=403)


def failure_page(request: Request, exc: Exception) -> Response:
    if isinstance(exc, SignInRequired):
        return _sign_in_redirect(request)
    if isinstance(exc, OfficerRefused):
        return _refused_page(request)
    if isinstance(exc, RequestValidationError):
        exc = errors.ValidationFailed(
            "The request failed validation", errors=errors.field_errors(exc.errors())
        )
    if not isinstance(exc, errors.DomainError):
        log.exception("console.unhandled", error=type(exc).__name__)
        exc = errors.InternalError("An unexpected error occurred")
    return problem_page(request, exc)


class ConsoleRoute(APIRoute):
    """A route of the console: its failures render as pages with the console's headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except Exception as exc:
                response = failure_page(request, exc)
            response.headers.update(page_headers(console_state(request).csp))
            return response

        return route
