"""The request officers may raise offline (policies: backend/cases/mutations.py)."""

from __future__ import annotations

from backend.cases.mutations import CaseMutation, calling, on_case
from backend.requests import service
from backend.requests.schemas import OfficerRequestCreate
from sync.registry import Policy

CREATE = CaseMutation(
    "request.create",
    args=on_case(OfficerRequestCreate),
    policy=Policy.APPEND_ONLY,
    summary="Ask the supervisor or the operator for something on the case",
    apply=calling(service.create),
)
