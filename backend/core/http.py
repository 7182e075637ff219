"""The HTTP edge: request ids, body limits, media types and problem details."""

from __future__ import annotations

import re
import time
import uuid
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import structlog
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core import errors
from backend.core.logging import get_logger

log = get_logger("debtx.http")

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_BODY_METHODS = {"POST", "PUT", "PATCH"}
_JSON_TYPES = ("application/json",)
_UPLOAD_TYPES = (
    "multipart/form-data",
    "text/csv",
    "application/x-ndjson",
    "application/jsonl",
    "application/xml",  # camt.053 bank statements
    "text/xml",
)


def request_id_of(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def problem_response(
    exc: errors.DomainError, request: Request, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = exc.problem(instance=request.url.path, request_id=request_id_of(request))
    headers = {**exc.headers(), **(headers or {})}
    if exc.status == 401:
        headers["www-authenticate"] = "Bearer"
    return JSONResponse(
        body, status_code=exc.status, media_type=errors.PROBLEM_JSON, headers=headers
    )


def _media_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


def _is_json(media_type: str) -> bool:
    return media_type in _JSON_TYPES or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class _BodyTooLarge(StarletteHTTPException):
    """Raised from `receive`; an HTTPException so FastAPI's body parsing lets it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Body exceeds {limit} bytes")
        self.limit = limit


class EdgeMiddleware:
    """Assigns a request id, logs each request, and refuses bad bodies early.

    A pure ASGI middleware: BaseHTTPMiddleware would cost a task per request.
    """

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        rejection = self._reject_body(scope)
        try:
            if rejection is not None:
                await self._send_problem(scope, rejection, send_with_id)
            else:
                await self._call_limited(scope, receive, send_with_id)
        finally:
            log.info(
                "http.request",
                method=scope["method"],
                path=scope["path"],
                status=status["code"],
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )

    def _request_id(self, scope: Scope) -> str:
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                if _VALID_REQUEST_ID.match(candidate):
                    return candidate
        return uuid.uuid4().hex

    def _limit_for(self, media_type: str) -> int:
        return self.max_upload if media_type in _UPLOAD_TYPES else self.max_body

    def _reject_body(self, scope: Scope) -> errors.DomainError | None:
        if scope["method"] not in _BODY_METHODS:
            return None
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"")
        if length is not None and not length.isdigit():
            return errors.BadRequest("Content-Length is not a number")
        has_body = chunked or (length is not None and int(length) > 0)
        if not has_body:
            return None
        media_type = _media_type(scope)
        if not (_is_json(media_type) or media_type in _UPLOAD_TYPES):
            return errors.UnsupportedMediaType(
                f"Content-Type {media_type or '(none)'} is not accepted; send application/json"
            )
        if length is not None and int(length) > self._limit_for(media_type):
            return _too_large(self._limit_for(media_type))
        return None

    async def _call_limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit_for(_media_type(scope))
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge as exc:
            if started:
                raise
            await self._send_problem(scope, _too_large(exc.limit), send)
        except Exception:
            # Starlette re-raises after the 500 handler has logged and answered;
            # anything else would log the same failure twice.
            if not started:
                log.exception("http.unhandled")
                await self._send_problem(
                    scope, errors.InternalError("An unexpected error occurred"), send
                )

    async def _send_problem(self, scope: Scope, exc: errors.DomainError, send: Send) -> None:
        response = problem_response(exc, Request(scope))
        await response(scope, _empty_receive, send)


def _too_large(limit: int) -> errors.DomainError:
    return errors.PayloadTooLarge(f"Body exceeds {limit} bytes", limit=limit)


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _validation_problem(request: Request, exc: RequestValidationError) -> errors.DomainError:
    details = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in details):
        return errors.MalformedJson("The request body is not valid JSON")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body_expected = any(tuple(e.get("loc", ())) == ("body",) for e in details)
    if body_expected and media_type and not _is_json(media_type):
        return errors.UnsupportedMediaType(f"This route takes application/json, not {media_type}")
    return errors.ValidationFailed(
        f"{len(details)} field(s) failed validation", errors=errors.field_errors(details)
    )


def install_error_handlers(app: FastAPI) -> None:
    """Render every failure as problem details; never leak a stack trace."""

    async def domain(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.DomainError)
        if exc.status >= 500:
            log.error("http.domain_error", code=exc.code, detail=exc.detail)
        return problem_response(exc, request)

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(_validation_problem(request, exc), request)

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        headers = {k.lower(): v for k, v in (getattr(exc, "headers", None) or {}).items()}
        if exc.status_code == 405:
            headers["allow"] = allowed_methods(request)
        return problem_response(_from_http_exception(exc, request), request, headers=headers)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("http.unhandled", error=type(exc).__name__)
        return problem_response(errors.InternalError("An unexpected error occurred"), request)

    app.add_exception_handler(errors.DomainError, domain)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(Exception, unexpected)


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def _is_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return origin in (Union, UnionType, Annotated) and any(
        _is_sequence(arg) for arg in get_args(annotation)
    )


def _query_params(dependant: Dependant) -> dict[str, bool]:
    """Query parameter names of a route, each with whether it may repeat."""
    params = {p.alias: _is_sequence(p.field_info.annotation) for p in dependant.query_params}
    for sub_dependant in dependant.dependencies:
        params |= _query_params(sub_dependant)
    return params


def _declared_query(route: APIRoute) -> dict[str, bool]:
    params = getattr(route, "_debtx_query_params", None)
    if params is None:
        params = _query_params(route.dependant)
        route._debtx_query_params = params  # type: ignore[attr-defined]
    return params


def _query_problem(name: str, reason: str, kind: str) -> dict[str, str]:
    return {"in": "query", "field": name, "reason": reason, "type": kind}


async def reject_unknown_query(request: Request) -> None:
    """A misspelt or repeated filter must not silently change a query: both are refused."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = _declared_query(route)
    names = [name for name, _ in request.query_params.multi_items()]
    problems = [
        _query_problem(n, "not a parameter of this route", "extra_forbidden")
        for n in sorted(set(names) - set(declared))
    ]
    problems += [
        _query_problem(n, "given more than once", "repeated")
        for n in sorted({n for n in names if names.count(n) > 1})
        if n in declared and not declared[n]
    ]
    if problems:
        raise errors.ValidationFailed(
            f"{len(problems)} query parameter(s) refused", errors=problems
        )


def _from_http_exception(exc: StarletteHTTPException, request: Request) -> errors.DomainError:
    if isinstance(exc, _BodyTooLarge):
        return _too_large(exc.limit)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if exc.status_code == 400 and _is_json(media_type):
        # FastAPI raises a bare 400 when a JSON body is not even text.
        return errors.MalformedJson("The request body is not valid JSON")
    mapped: dict[int, type[errors.DomainError]] = {
        404: errors.RouteNotFound,
        405: errors.MethodNotAllowed,
        413: errors.PayloadTooLarge,
        415: errors.UnsupportedMediaType,
        401: errors.NotAuthenticated,
        403: errors.Forbidden,
    }
    cls = mapped.get(
        exc.status_code, errors.BadRequest if exc.status_code < 500 else errors.InternalError
    )
    detail: Any = exc.detail if isinstance(exc.detail, str) else None
    if cls is errors.RouteNotFound and detail == "Not Found":
        detail = "No route matches this path"
    return cls(detail)
