"""Domain errors and their RFC 9457 rendering.

Every error a client can see is a `DomainError` subclass with a stable `code`;
the catalogue of them is exported to mobile_contract/errors.json.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """A failure the caller can act on; rendered as problem details."""

    code: ClassVar[str] = "internal.error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    retryable: ClassVar[bool] = False  # a race with a concurrent writer: the same call may succeed

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra

    def headers(self) -> dict[str, str]:
        """Response headers the problem brings (e.g. Retry-After)."""
        return {}

    def problem(self, *, instance: str, request_id: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://debtx.dev/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            "instance": instance,
        }
        if request_id:
            body["request_id"] = request_id
        body.update(self.extra)
        return body


class InternalError(DomainError):
    """Something failed on the server; the request id helps support find it."""

    code = "internal.error"
    status = 500
    title = "Internal error"


class BadRequest(DomainError):
    """The request could not be read as HTTP the API understands."""

    code = "request.malformed"
    status = 400
    title = "Malformed request"


class MalformedJson(DomainError):
    """The body is not valid JSON (or not UTF-8 text)."""

    code = "request.malformed_json"
    status = 400
    title = "Body is not valid JSON"


class ValidationFailed(DomainError):
    """One or more fields failed validation; `errors` lists each field path and reason."""

    code = "request.invalid"
    status = 422
    title = "Request failed validation"

    @classmethod
    def on(cls, field: str, reason: str, **extra: Any) -> Self:
        """This problem as one field's, listed in `errors` as request validation lists them."""
        return cls(reason, errors=[field_problem(field, reason, cls.code)], **extra)


def field_problem(field: str, reason: str, code: str) -> dict[str, str]:
    """One entry of a problem's `errors`: a dotted field path and its reason."""
    return {"in": "body", "field": field, "reason": reason, "type": code}


class PayloadTooLarge(DomainError):
    """The body is larger than the route accepts; `limit` gives the bytes allowed."""

    code = "request.too_large"
    status = 413
    title = "Request body too large"


class UnsupportedMediaType(DomainError):
    """The Content-Type is not one the route accepts."""

    code = "request.unsupported_media_type"
    status = 415
    title = "Unsupported content type"


class RouteNotFound(DomainError):
    """No route has this path."""

    code = "route.not_found"
    status = 404
    title = "No such route"


class MethodNotAllowed(DomainError):
    """The route exists but not with this HTTP method."""

    code = "route.method_not_allowed"
    status = 405
    title = "Method not allowed"


class NotAuthenticated(DomainError):
    """No bearer token was sent, or the Authorization header is malformed."""

    code = "auth.not_authenticated"
    status = 401
    title = "Authentication required"


class InvalidToken(DomainError):
    """The Firebase ID token failed verification.

    Signature, key id, audience, issuer, times or subject.
    """

    code = "auth.invalid_token"
    status = 401
    title = "Invalid ID token"


class AccountDisabled(DomainError):
    """The account behind a valid token has been disabled."""

    code = "auth.account_disabled"
    status = 403
    title = "Account disabled"


class UnknownUser(DomainError):
    """A valid token for an identity that has no DebtX account."""

    code = "auth.unknown_user"
    status = 403
    title = "No DebtX account for this identity"


class Forbidden(DomainError):
    """The caller's role may not perform this action."""

    code = "auth.forbidden"
    status = 403
    title = "Not allowed for your role"


class NotFound(DomainError):
    """The resource does not exist or is outside the caller's reach."""

    code = "resource.not_found"
    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The request conflicts with the resource's current state."""

    code = "resource.conflict"
    status = 409
    title = "Conflicts with the current state"


class ServiceUnavailable(DomainError):
    """A backing service is unreachable; retry later.

    The database, Redis, Firestore or the token certificates.
    """

    code = "service.unavailable"
    status = 503
    title = "A backing service is unavailable"


def _subclasses(cls: type[DomainError]) -> Iterator[type[DomainError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# The packages whose errors clients may receive.
SERVED_BY = frozenset({"backend", "sync"})


def catalogue() -> list[dict[str, Any]]:
    """Every error code clients may receive, sorted by code."""
    seen: dict[str, dict[str, Any]] = {}
    for cls in _subclasses(DomainError):
        if cls.__module__.partition(".")[0] not in SERVED_BY:
            continue  # a test's own error class, say
        doc = (cls.__doc__ or "").strip().splitlines()
        seen.setdefault(
            cls.code,
            {
                "code": cls.code,
                "status": cls.status,
                "title": cls.title,
                "description": " ".join(line.strip() for line in doc) if doc else cls.title,
            },
        )
    return sorted(seen.values(), key=lambda e: e["code"])


def field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic error dicts as `{field, reason, type}` with dotted field paths."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in {"body", "query", "path", "header", "cookie"}:
            where, loc = loc[0], loc[1:]
        else:
            where = "body"
        out.append(
            {
                "in": where,
                "field": ".".join(loc),
                "reason": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return out


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as every error response carries them."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str
    request_id: str | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries saying these statuses answer with problem details."""
    return {
        status: {"model": ProblemDetails, "description": "Problem details"} for status in statuses
    }
