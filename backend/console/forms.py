"""Forms and query strings validated as the API validates bodies, with field problems kept."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, QueryParams

from backend.core.errors import DomainError, ValidationFailed, field_errors

M = TypeVar("M", bound=BaseModel)


def values(
    data: FormData | QueryParams, *, drop: Iterable[str] = (), lists: Iterable[str] = ()
) -> dict[str, Any]:
    """The fields sent, blank ones left out (an empty select means 'any'); each field in
    `lists` (checkboxes of one name) as the list of its values, empty when none is ticked."""
    many = set(lists)
    skipped = set(drop) | many
    found: dict[str, Any] = {k: v for k, v in data.items() if k not in skipped and v != ""}
    for name in many:
        found[name] = [v for v in data.getlist(name) if v != ""]
    return found


def parse(model: type[M], data: dict[str, Any]) -> M:
    """`model` from the fields; a ValidationFailed problem listing each field otherwise."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            f"{exc.error_count()} field(s) failed validation",
            errors=field_errors(exc.errors()),
        ) from exc


def field_problems(problem: DomainError | None) -> dict[str, str]:
    """Each field's reason from a problem's `errors`, for showing beside the field."""
    if problem is None:
        return {}
    found: dict[str, str] = {}
    for error in problem.extra.get("errors", []):
        found.setdefault(error.get("field") or "", error.get("reason", ""))
    return found
