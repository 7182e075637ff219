"""Staff accounts, for operator admins: list by role and DRC, create, change the role,
disable and enable, through the users service behind `/users`. A disabled account is
signed out of the console at its next request (the users collection decides)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from backend.console import editing, forms
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import AdminCaller
from backend.console.routing import ConsoleRoute
from backend.core.errors import DomainError
from backend.core.pagination import Page
from backend.drcs import service as drcs
from backend.users import service as users
from backend.users.models import Role, User
from backend.users.schemas import DRC_ID_PATTERN, Uid, UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

HOME = "/console/users"
PAGE_SIZE = 25
UidPath = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
NOTICES = ("user_created", "user_updated", "user_enabled", "user_disabled")
CLEARABLE = ("phone", "area")


class UserListQuery(BaseModel):
    """The list's filters and page."""

    model_config = ConfigDict(extra="ignore")

    role: Role | None = None
    drc: str | None = Field(default=None, pattern=DRC_ID_PATTERN)
    cursor: Uid | None = None

    def link(self, **changes: str | None) -> str:
        params = {**self.model_dump(mode="json", exclude_none=True), **changes}
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return HOME + (f"?{query}" if query else "")


def _roles_beside(user: User | None) -> list[Role]:
    """The roles a form offers: any for a new account, the same side for an existing one."""
    if user is None:
        return list(Role)
    return [role for role in Role if role.is_operator == user.role.is_operator]


async def _drc_options(caller: Caller) -> list[tuple[str, str]]:
    return [(d.id, f"{d.id} · {d.name}") for d in await drcs.list_for(actor=caller.user)]


@router.get("/users")
async def user_list(request: Request, caller: AdminCaller) -> Response:
    """Every account, filtered by role and DRC, a page at a time."""
    query, problem = forms.parse_or_problem(UserListQuery, forms.values(request.query_params))
    found = Page[UserRead](items=[])
    if problem is None:
        found = await users.list_for(
            actor=caller.user,
            drc_id=query.drc,
            role=query.role,
            cursor=query.cursor,
            limit=PAGE_SIZE,
        )
    return editing.list_page(
        request,
        caller,
        "users/list.html",
        notices=NOTICES,
        status=problem.status if problem else 200,
        query=query,
        page=found,
        roles=list(Role),
        drcs=await _drc_options(caller),
        problem=problem,
        fields=forms.field_problems(problem),
    )


FORM = editing.Form("users/_fields.html", back=HOME, labels="users", edit_suffix="/edit")


async def _form(
    request: Request,
    caller: Caller,
    values: dict[str, Any],
    *,
    editing_user: User | None = None,
    problem: DomainError | None = None,
) -> Response:
    """The new account's form, or `editing_user`'s."""
    return FORM.page(
        request,
        caller,
        values,
        of=editing_user.id if editing_user else None,
        problem=problem,
        editing_user=editing_user,
        roles=_roles_beside(editing_user),
        drcs=await _drc_options(caller),
    )


@router.get("/users/new")
async def new_user(request: Request, caller: AdminCaller) -> Response:
    """An empty account form."""
    return await _form(request, caller, {"role": Role.RECOVERY_OFFICER.value})


@router.post("/users/new", dependencies=[CsrfChecked])
async def create_user(request: Request, caller: AdminCaller) -> Response:
    """Create the account as `POST /users` does; DRC roles need their DRC."""
    values = await editing.posted(request)

    async def save() -> None:
        await users.create_user(actor=caller.user, data=forms.parse(UserCreate, values))

    return await editing.save_or_show(
        save, lambda p: _form(request, caller, values, problem=p), back=HOME, notice="user_created"
    )


@router.get("/users/{uid}/edit")
async def edit_user(request: Request, uid: UidPath, caller: AdminCaller) -> Response:
    """The account's name, role, phone and area as they are now."""
    found = await users.get_for(actor=caller.user, uid=uid)
    values = found.model_dump(mode="json", include={"display_name", "role", "phone", "area"})
    return await _form(request, caller, values, editing_user=found)


@router.post("/users/{uid}/edit", dependencies=[CsrfChecked])
async def update_user(request: Request, uid: UidPath, caller: AdminCaller) -> Response:
    """Change the account as `PATCH /users/{uid}` does; a blank phone or area clears it."""
    found = await users.get_for(actor=caller.user, uid=uid)
    values = await editing.posted(request)

    async def save() -> None:
        data = forms.parse(UserUpdate, editing.cleared(CLEARABLE, values))
        await users.update_user(actor=caller.user, uid=uid, data=data)

    return await editing.save_or_show(
        save,
        lambda p: _form(request, caller, values, editing_user=found, problem=p),
        back=HOME,
        notice="user_updated",
    )


@router.post("/users/{uid}/active", dependencies=[CsrfChecked])
async def switch_user(request: Request, uid: UidPath, caller: AdminCaller) -> Response:
    """Enable or disable the account, as `PATCH /users/{uid}` with `active`."""
    active = await editing.toggled(request)
    await users.update_user(actor=caller.user, uid=uid, data=UserUpdate(active=active))
    return editing.saved(HOME, "user_enabled" if active else "user_disabled")
