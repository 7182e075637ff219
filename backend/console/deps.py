"""Who is at the console: the session cookie, then the DebtX account behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from backend.auth.deps import current_user
from backend.console.errors import OfficerRefused, SignInRequired
from backend.console.nav import CONSOLE_ROLES
from backend.console.security import check_csrf, content_security_policy
from backend.console.sessions import Session, SessionCodec
from backend.core.settings import Settings
from backend.firebase.tokens import VerifiedToken
from backend.users.models import User


@dataclass(frozen=True)
class ConsoleState:
    """What the console keeps for the life of the app (on `app.state.console`)."""

    settings: Settings
    codec: SessionCodec
    csp: str

    @classmethod
    def of(cls, settings: Settings) -> ConsoleState:
        return cls(settings, SessionCodec(settings), content_security_policy(settings))


def console_state(request: Request) -> ConsoleState:
    return request.app.state.console


def browser_session(request: Request) -> Session | None:
    """The cookie's session, signed in or not, if it is genuine and unexpired."""
    return console_state(request).codec.read(request)


@dataclass(frozen=True)
class Caller:
    user: User
    session: Session


async def signed_in(request: Request) -> Caller:
    """The signed-in staff member; the `users` collection decides role and active flag,
    exactly as for the API, on every request."""
    console = console_state(request)
    session = console.codec.read(request)
    if session is None or session.uid is None:
        raise SignInRequired
    if await console.codec.is_revoked(request.app.state.resources.redis, session):
        raise SignInRequired
    user = await current_user(VerifiedToken(uid=session.uid, claims={}))
    request.state.console_caller = Caller(user, session)
    if user.role not in CONSOLE_ROLES:
        raise OfficerRefused
    return request.state.console_caller


SignedIn = Annotated[Caller, Depends(signed_in)]


async def csrf_protected(request: Request) -> None:
    """Every state-changing console request carries its session's CSRF token."""
    console = console_state(request)
    await check_csrf(request, console.codec.read(request), console.settings.public_url)


CsrfChecked = Depends(csrf_protected)
