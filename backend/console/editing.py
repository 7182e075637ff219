"""What the settings pages share: who may open them, reading a posted form, showing a
form again with each field's problem, and the redirect once a service has saved it.

Every write goes through the domain's service, which validates the whole change before
it stores anything; a refused change shows the form again, as it was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

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


class Move(BaseModel):
    """An up or down button's form: one place earlier or later in a list."""

    direction: Literal["up", "down"]


async def moved(request: Request, order: list[str], key: str) -> list[str] | None:
    """`order` with `key` one place earlier or later, as the posted button says; None
    when it is at that end already."""
    move = forms.parse(Move, await posted(request))
    at = order.index(key)
    to = at - 1 if move.direction == "up" else at + 1
    if not 0 <= to < len(order):
        return None
    order = list(order)
    order[at], order[to] = order[to], order[at]
    return order


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


def list_page(
    request: Request, caller: Caller, template: str, *, notices: Iterable[str], **context: Any
) -> Response:
    """A settings list, saying what was just saved when it says one the page knows."""
    return render(
        request,
        template,
        session=caller.session,
        user=caller.user,
        saved=notice_of(request, notices),
        **context,
    )


@dataclass(frozen=True)
class Form:
    """One page's form: the template of its fields, the list it returns to (new ones are
    posted to `<back>/new`, existing ones to `<back>/<id><edit_suffix>`), its titles
    (`<labels>.new`, `<labels>.edit`), and where the API's field paths show on it
    (`conditions.regions` is the form's `regions`)."""

    fields_template: str
    back: str
    labels: str
    where: Mapping[str, str] = field(default_factory=dict)
    template: str = "editing/form.html"
    edit_suffix: str = ""

    def page(
        self,
        request: Request,
        caller: Caller,
        values: Mapping[str, Any],
        *,
        of: str | None = None,
        problem: DomainError | None = None,
        **context: Any,
    ) -> Response:
        """The form for a new one, or the one `of` names: what was typed, the problem on
        top, each field's reason beside it."""
        return render(
            request,
            self.template,
            session=caller.session,
            user=caller.user,
            status=problem.status if problem else 200,
            values=values,
            problem=problem,
            fields=forms.field_problems(problem, self.where),
            fields_template=self.fields_template,
            back=self.back,
            action=f"{self.back}/{of}{self.edit_suffix}" if of else f"{self.back}/new",
            title_key=f"{self.labels}.{'edit' if of else 'new'}",
            **context,
        )


async def save_or_show(
    save: Callable[[], Awaitable[Any]],
    show: Callable[[DomainError], Awaitable[Response] | Response],
    *,
    back: str,
    notice: str,
) -> Response:
    """Run the service's write, then back to the list with `notice`; a form problem
    shows the form again (`show`), nothing stored."""
    try:
        await save()
    except FORM_PROBLEMS as problem:
        shown = show(problem)
        return await shown if isinstance(shown, Awaitable) else shown
    return saved(back, notice)
