from __future__ import annotations

from fastapi import APIRouter, status

from backend.auth.deps import CurrentUser, OperatorAdmin
from backend.drcs import service
from backend.drcs.schemas import DrcCreate, DrcRead, DrcUpdate

router = APIRouter(prefix="/drcs", tags=["drcs"])


@router.get("", summary="List DRCs")
async def list_drcs(actor: CurrentUser) -> list[DrcRead]:
    """Operators see every DRC; DRC staff their own."""
    return [DrcRead.model_validate(d) for d in await service.list_for(actor=actor)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a DRC")
async def create_drc(actor: OperatorAdmin, body: DrcCreate) -> DrcRead:
    """Operator admins only."""
    return DrcRead.model_validate(await service.create_drc(actor=actor, data=body))


@router.get("/{drc_id}", summary="One DRC")
async def get_drc(actor: CurrentUser, drc_id: str) -> DrcRead:
    """404 when the caller may not see it."""
    return DrcRead.model_validate(await service.get_for(actor=actor, drc_id=drc_id))


@router.patch("/{drc_id}", summary="Update a DRC")
async def update_drc(actor: OperatorAdmin, drc_id: str, body: DrcUpdate) -> DrcRead:
    """Operator admins only."""
    return DrcRead.model_validate(await service.update_drc(actor=actor, drc_id=drc_id, data=body))
