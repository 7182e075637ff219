"""Who is calling: a verified Firebase ID token, then the DebtX account behind it."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from backend.core import ratelimit
from backend.core.errors import AccountDisabled, Forbidden, NotAuthenticated, UnknownUser
from backend.core.ratelimit import Group
from backend.firebase.tokens import TokenVerifier, VerifiedToken
from backend.users import service as users
from backend.users.models import Role, User

_bearer = HTTPBearer(auto_error=False, description="Firebase ID token")
_internal = APIKeyHeader(
    name="X-DebtX-Internal-Token",
    auto_error=False,
    scheme_name="InternalToken",
    description="DEBTX_INTERNAL_TOKEN; for DebtX's own services (the Cloud Function), not apps",
)


def _verifier(request: Request) -> TokenVerifier:
    return request.app.state.verifier


async def verified_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> VerifiedToken:
    if credentials is None or not credentials.credentials.strip():
        raise NotAuthenticated("Send 'Authorization: Bearer <Firebase ID token>'")
    return await _verifier(request).verify(credentials.credentials.strip())


async def current_user(token: Annotated[VerifiedToken, Depends(verified_token)]) -> User:
    user = await users.by_uid(token.uid)
    if user is None:
        raise UnknownUser("This identity has no DebtX account")
    if not user.active:
        raise AccountDisabled("This DebtX account is disabled")
    structlog.contextvars.bind_contextvars(uid=user.id, role=user.role.value)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: Role):
    """A dependency admitting only the given roles."""
    allowed = frozenset(roles)

    async def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden(f"This action needs one of: {', '.join(sorted(allowed))}")
        return user

    return check


OperatorStaff = Annotated[User, Depends(require_roles(Role.OPERATOR_ADMIN, Role.OPERATOR_OFFICER))]
OperatorAdmin = Annotated[User, Depends(require_roles(Role.OPERATOR_ADMIN))]
StaffWithTeams = Annotated[
    User, Depends(require_roles(Role.OPERATOR_ADMIN, Role.OPERATOR_OFFICER, Role.DRC_SUPERVISOR))
]


async def internal_caller(
    request: Request, token: Annotated[str | None, Depends(_internal)]
) -> None:
    """Admit DebtX's own services: the shared internal token, compared in constant time."""
    expected = request.app.state.settings.internal_token.get_secret_value().encode()
    if not token or not hmac.compare_digest(token.encode(), expected):
        raise NotAuthenticated("Send the internal token in X-DebtX-Internal-Token")


InternalCaller = Depends(internal_caller)


def UserRateLimited(group: Group) -> Any:
    """A route dependency counting each call against `group`'s per-IP and per-account
    limits (the caller as `current_user` found them)."""

    async def limited(request: Request, user: CurrentUser) -> None:
        await ratelimit.check(request, group, user=user.id)

    return Depends(limited)
