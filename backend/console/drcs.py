"""Debt Recovery Companies, for operator admins: list, register, disable and enable,
through the DRC service behind `/drcs`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from backend.console import editing, forms
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import AdminCaller
from backend.console.routing import ConsoleRoute
from backend.core.errors import DomainError
from backend.drcs import service as drcs
from backend.drcs.models import AssignmentPreference
from backend.drcs.schemas import DrcCreate, DrcUpdate
from backend.users.schemas import DRC_ID_PATTERN

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

HOME = "/console/drcs"
DrcIdPath = Annotated[str, Path(pattern=DRC_ID_PATTERN)]
NOTICES = ("drc_created", "drc_enabled", "drc_disabled")


class DrcForm(BaseModel):
    """The DRC form as typed: numbers as text, regions separated by commas."""

    model_config = ConfigDict(extra="allow")

    regions: str = ""
    capacity: int = 1000
    performance_score: float = 0.5

    def body(self) -> dict[str, Any]:
        """The API's body: the rest of the fields as sent."""
        regions = [r.strip() for r in self.regions.split(",") if r.strip()]
        return {**self.model_dump(), "regions": regions}


FORM = editing.Form("drcs/_fields.html", back=HOME, labels="drcs")


def _form(
    request: Request, caller: Caller, values: dict[str, Any], problem: DomainError | None = None
) -> Response:
    return FORM.page(
        request,
        caller,
        values,
        problem=problem,
        preferences=list(AssignmentPreference),
    )


@router.get("/drcs")
async def drc_list(request: Request, caller: AdminCaller) -> Response:
    """Every DRC, active or not."""
    found = await drcs.list_for(actor=caller.user)
    return editing.list_page(request, caller, "drcs/list.html", notices=NOTICES, drcs=found)


@router.get("/drcs/new")
async def new_drc(request: Request, caller: AdminCaller) -> Response:
    """An empty DRC form with the API's defaults."""
    defaults = {"capacity": "1000", "performance_score": "0.5", "assignment_preference": "manual"}
    return _form(request, caller, defaults)


@router.post("/drcs/new", dependencies=[CsrfChecked])
async def create_drc(request: Request, caller: AdminCaller) -> Response:
    """Register the DRC as `POST /drcs` does."""
    values = await editing.posted(request)

    async def save() -> None:
        body = forms.parse(DrcForm, values).body()
        await drcs.create_drc(actor=caller.user, data=forms.parse(DrcCreate, body))

    return await editing.save_or_show(
        save, lambda p: _form(request, caller, values, p), back=HOME, notice="drc_created"
    )


@router.post("/drcs/{drc_id}/active", dependencies=[CsrfChecked])
async def switch_drc(request: Request, drc_id: DrcIdPath, caller: AdminCaller) -> Response:
    """Enable or disable the DRC, as `PATCH /drcs/{id}` with `active`."""
    active = await editing.toggled(request)
    await drcs.update_drc(actor=caller.user, drc_id=drc_id, data=DrcUpdate(active=active))
    return editing.saved(HOME, "drc_enabled" if active else "drc_disabled")
