"""What the settings pages share: who may open them, reading a posted form, showing a
form again with each field's problem, and the redirect once a service has saved it.

Every write goes through the domain's service, which validates the whole change before
it stores anything; a refused change shows the form again, as it was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from backend.console import forms
from backend.console.deps import Caller, signed_in
from backend.console.nav import ADMIN_ROLES
from backend.console.security import CSRF_FIELD
from backend.console.templates import render
from backend.core.errors import Conflict, DomainError, RouteNotFound, ValidationFailed
from backend.users.models import OPERATOR_ROLES, Role

# Problems that belong beside a form's fields; any other (refused, not found) is a page.
FORM_PROBLEMS = (ValidationFailed, Conflict)


def _staff(roles: frozenset[Role]) -> Callable[..., Awaitable[Caller]]:
    async def caller_with_role(request: Request) -> Caller:
        caller = await signed_in(request)
        if caller.user.role not in roles:
            # the page does not exist for this role, as its navigation says
            raise RouteNotFound(f"No console page at {request.url.path}")
        return caller

    return caller_with_role


OperatorCaller = Annotated[Caller, Depends(_staff(OPERATOR_ROLES))]
AdminCaller = Annotated[Caller, Depends(_staff(ADMIN_ROLES))]


class Toggle(BaseModel):
    """An enable or disable button's form."""

    active: bool


async def posted(request: Request, *, lists: Iterable[str] = ()) -> dict[str, Any]:
    """The posted form's fields, blanks left out, without the CSRF token."""
    return forms.values(await request.form(), drop=(CSRF_FIELD,), lists=lists)


async def toggled(request: Request) -> bool:
    """The `active` flag an enable or disable button posts."""
    return forms.parse(Toggle, await posted(request)).active


def cleared(names: Iterable[str], sent: Mapping[str, Any]) -> dict[str, Any]:
    """The fields sent, with each of `names` left blank set to None (an edit clears it)."""
    return {**dict.fromkeys(names), **sent}


def saved(href: str, notice: str) -> Response:
    """Post, redirect, get: back to the list, which says what was saved."""
    return RedirectResponse(f"{href}?saved={notice}", status_code=303)


def notice_of(request: Request, known: Iterable[str]) -> str | None:
    """The list's `saved` notice, when it is one the page knows."""
    notice = request.query_params.get("saved")
    return notice if notice in set(known) else None


def form_page(
    request: Request,
    caller: Caller,
    template: str,
    *,
    values: Mapping[str, Any],
    problem: DomainError | None = None,
    where: Mapping[str, str] | None = None,
    **context: Any,
) -> Response:
    """A form with what was typed, the problem on top and each field's reason beside it."""
    return render(
        request,
        template,
        session=caller.session,
        user=caller.user,
        status=problem.status if problem else 200,
        values=values,
        problem=problem,
        fields=forms.field_problems(problem, where),
        **context,
    )


async def save_or_show(
    save: Callable[[], Awaitable[Any]],
    *,
    done: Callable[[], Response],
    show: Callable[[DomainError], Awaitable[Response] | Response],
) -> Response:
    """Run the service's write; a form problem shows the form again, nothing stored."""
    try:
        await save()
    except FORM_PROBLEMS as problem:
        shown = show(problem)
        return await shown if isinstance(shown, Awaitable) else shown
    return done()
