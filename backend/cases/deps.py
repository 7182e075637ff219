from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from backend.auth.deps import CurrentUser
from backend.cases import service
from backend.cases.models import Case

CaseId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Case id")]


async def case_for_caller(case_id: CaseId, user: CurrentUser) -> Case:
    """The case in the path, if the caller may see it; 404 otherwise."""
    return await service.get_for(actor=user, case_id=case_id)


CaseForCaller = Annotated[Case, Depends(case_for_caller)]
