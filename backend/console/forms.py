"""Forms and query strings validated as the API validates bodies, with field problems kept."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import FormData, QueryParams

from backend.core.errors import DomainError, ValidationFailed, field_errors

M = TypeVar("M", bound=BaseModel)

# An amount as typed, in major units (rupees and cents).
Amount = Annotated[Decimal, Field(ge=0, decimal_places=2, max_digits=13)]


def minor(amounts: Mapping[str, Decimal]) -> dict[str, int]:
    """Amounts per currency as typed, in the minor units the services keep."""
    return {currency: int(amount * 100) for currency, amount in amounts.items()}


def major(amount: int) -> str:
    """A stored amount (minor units) as a form shows it: 5000.50."""
    return f"{amount // 100}.{amount % 100:02d}"


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
            # located, so that a field named like a location (`body`) keeps its name
            errors=field_errors([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]),
        ) from exc


def parse_or_problem(model: type[M], data: dict[str, Any]) -> tuple[M, ValidationFailed | None]:
    """`model` from the fields and no problem; or what was typed, unchecked, and the
    problem (a page shows it again with each field's reason beside it)."""
    try:
        return parse(model, data), None
    except ValidationFailed as problem:
        return model.model_construct(**data), problem


def field_problems(
    problem: DomainError | None, where: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Each field's reason from a problem's `errors`, for showing beside the field.

    `where` names the form field for an API field path (`conditions.regions` is the
    form's `regions`); the longest matching path wins, and a path inside it matches too.
    """
    if problem is None:
        return {}
    found: dict[str, str] = {}
    for error in problem.extra.get("errors", []):
        field = _form_field(error.get("field") or "", where or {})
        found.setdefault(field, error.get("reason", ""))
    return found


def _form_field(path: str, where: Mapping[str, str]) -> str:
    matches = [api for api in where if path == api or path.startswith(f"{api}.")]
    return where[max(matches, key=len)] if matches else path


def nested(data: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted field names as nested fields: `rules.balance_min.LKR` as
    `{"rules": {"balance_min": {"LKR": ...}}}`; a level keyed 0, 1, … becomes a list."""
    found: dict[str, Any] = {}
    for name, value in data.items():
        *path, last = name.split(".")
        level = found
        for part in path:
            level = level.setdefault(part, {})
        level[last] = value
    return _listed(found)


def _listed(level: Any) -> Any:
    if not isinstance(level, dict):
        return level
    items = {k: _listed(v) for k, v in level.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items
