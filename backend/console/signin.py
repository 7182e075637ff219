"""Signing in and out of the console, and the language switch.

Production: the Firebase JS SDK signs in and the page posts the ID token here. Development:
a form mints the very token the API's `/auth/dev/sign-in` mints. Either way the token goes
through the API's verifier and the `users` collection decides, then a session cookie is set.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import RedirectResponse, Response

from backend.auth import router as dev_auth
from backend.auth.deps import current_user
from backend.auth.schemas import DevSignIn
from backend.console import forms
from backend.console.deps import CsrfChecked, browser_session, console_state
from backend.console.errors import OfficerRefused
from backend.console.i18n import language_of
from backend.console.nav import CONSOLE_ROLES
from backend.console.routing import ConsoleRoute
from backend.console.security import CSRF_FIELD, safe_next
from backend.console.sessions import Session
from backend.console.templates import render
from backend.core import ratelimit
from backend.core.errors import DomainError, NotFound, ValidationFailed
from backend.core.ratelimit import TooManyRequests

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

Next = Annotated[str | None, Query(max_length=2048)]
_CONSOLE_FIELDS = (CSRF_FIELD, "next")


class TokenSignIn(BaseModel):
    id_token: str = Field(min_length=1, max_length=8192)


def _firebase_config(request: Request) -> dict[str, str]:
    settings = console_state(request).settings
    project = settings.firebase.project_id
    return {
        "api_key": settings.console.firebase_api_key,
        "auth_domain": settings.console.firebase_auth_domain or f"{project}.firebaseapp.com",
        "project_id": project,
    }


def _sign_in_page(
    request: Request,
    session: Session,
    *,
    next_path: str | None,
    problem: DomainError | None = None,
    email: str = "",
    notice: str | None = None,
) -> Response:
    settings = console_state(request).settings
    response = render(
        request,
        "signin.html",
        session=session,
        status=problem.status if problem else 200,
        dev_login=settings.auth.dev_login,
        firebase=_firebase_config(request),
        next_path=safe_next(next_path),
        problem=problem,
        fields=forms.field_problems(problem),
        email=email,
        notice=notice,
    )
    console_state(request).codec.write(response, session)
    return response


@router.get("/sign-in")
async def sign_in_page(request: Request, next: Next = None, signed_out: bool = False) -> Response:
    """The sign-in page; it also starts the session whose CSRF token the form carries."""
    session = browser_session(request) or Session.anonymous()
    notice = "signin.signed_out" if signed_out else None
    return _sign_in_page(request, session, next_path=next, notice=notice)


async def _start_session(request: Request, session: Session, id_token: str, next_path: str):
    """Verify the ID token as the API does; a console role gets a fresh session."""
    verified = await request.app.state.verifier.verify(id_token)
    await ratelimit.check(request, "sign_in", user=verified.uid, ip=False)
    user = await current_user(verified)
    if user.role not in CONSOLE_ROLES:
        raise OfficerRefused
    response = RedirectResponse(next_path, status_code=303)
    console_state(request).codec.write(response, session.signed_in(user.id))
    return response


@router.post("/sign-in/token", dependencies=[CsrfChecked])
async def sign_in_with_token(request: Request) -> Response:
    """The Firebase JS SDK's ID token, posted by the sign-in page."""
    await ratelimit.check(request, "sign_in")
    form = await request.form()
    session = browser_session(request) or Session.anonymous()
    next_path = safe_next(str(form.get("next") or ""))
    try:
        body = forms.parse(TokenSignIn, forms.values(form, drop=_CONSOLE_FIELDS))
        return await _start_session(request, session, body.id_token, next_path)
    except OfficerRefused:
        return render(request, "refused.html", session=session, status=403)
    except TooManyRequests:
        raise
    except DomainError as problem:
        return _sign_in_page(request, session, next_path=next_path, problem=problem)


@router.post("/sign-in/dev", dependencies=[CsrfChecked])
async def sign_in_for_development(request: Request) -> Response:
    """Development only: the token `/auth/dev/sign-in` mints, for a seeded account."""
    if not console_state(request).settings.auth.dev_login:
        raise NotFound("Development sign-in is off")
    form = await request.form()
    session = browser_session(request) or Session.anonymous()
    next_path = safe_next(str(form.get("next") or ""))
    email = str(form.get("email") or "")
    try:
        body = forms.parse(DevSignIn, forms.values(form, drop=_CONSOLE_FIELDS))
        minted = await dev_auth.sign_in(request, body)
        return await _start_session(request, session, minted.id_token, next_path)
    except OfficerRefused:
        return render(request, "refused.html", session=session, status=403)
    except TooManyRequests:
        raise
    except ValidationFailed as problem:
        return _sign_in_page(request, session, next_path=next_path, problem=problem, email=email)
    except DomainError as problem:
        field_problem = ValidationFailed(problem.detail, errors=[_on_email(problem)])
        return _sign_in_page(
            request, session, next_path=next_path, problem=field_problem, email=email
        )


def _on_email(problem: DomainError) -> dict[str, str]:
    """An unknown or disabled account is the email field's problem, as the user sees it."""
    return {"in": "body", "field": "email", "reason": problem.detail, "type": problem.code}


@router.post("/sign-out", dependencies=[CsrfChecked])
async def sign_out(request: Request) -> Response:
    """End the session here and now; its cookie is refused from then on."""
    console = console_state(request)
    session = browser_session(request)
    response = RedirectResponse("/console/sign-in?signed_out=true", status_code=303)
    if session is not None:
        await console.codec.revoke(request.app.state.resources.redis, session)
    console.codec.write(
        response, Session.anonymous(session.language if session else language_of(None))
    )
    return response


@router.post("/language", dependencies=[CsrfChecked])
async def choose_language(request: Request) -> Response:
    """The language switch: kept in the session, for every page after this one."""
    form = await request.form()
    session = browser_session(request) or Session.anonymous()
    response = RedirectResponse(safe_next(str(form.get("next") or "")), status_code=303)
    chosen = language_of(str(form.get("language") or ""))
    console_state(request).codec.write(response, session.speaking(chosen))
    return response
