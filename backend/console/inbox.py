"""The sync review inbox: officers' mutations kept for a person to decide.

Rejected and quarantined mutations wait `open`; conflicts a field's rule settled are kept
`resolved`, to see and override. A reviewer re-applies one as sent, edits its arguments
and re-applies it (checked by the mutation's own schema, each problem beside its field),
or dismisses it with a reason, all through the sync service the `/sync/inbox` routes use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from backend.console import forms, queues
from backend.console.deps import CsrfChecked, SignedIn
from backend.console.routing import ConsoleRoute
from backend.core.errors import ValidationFailed
from backend.syncing import service as syncing
from backend.syncing.schemas import Dismiss, InboxRead, Reapply
from backend.users.models import User
from sync.errors import UnknownMutation
from sync.inbox import DECIDABLE
from sync.models import InboxStatus

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

QUEUE = queues.Queue("inbox")
ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
ARG = "arg-"  # the edit form's fields are the mutation's arguments, under this prefix
NOT_JSON = "Not a JSON value: write numbers as 1500, flags as true, lists as [...]"


class InboxQuery(BaseModel):
    """Which items the list shows: those waiting, or conflicts settled by their rule."""

    model_config = ConfigDict(extra="ignore")

    status: Literal["open", "resolved"] = "open"


@router.get("/inbox")
async def inbox_list(request: Request, caller: SignedIn) -> Response:
    """The kept mutations the caller may decide, newest first, live."""
    query = forms.parse(InboxQuery, forms.values(request.query_params))
    page = await syncing.review_page(
        actor=caller.user,
        statuses=[InboxStatus(query.status)],
        kind=None,
        uid=None,
        cursor=None,
        limit=queues.QUEUE_SIZE,
    )
    names = await queues.names_of([item.uid for item in page.items])
    more = page.next_cursor is not None
    return QUEUE.list_page(
        request, caller, items=page.items, more=more, names=names, showing=query.status
    )


@dataclass(frozen=True)
class Argument:
    """One argument of the mutation, as the edit form shows it."""

    name: str
    text: bool  # typed as text; otherwise written as a JSON value
    value: str
    required: bool


@cache
def _schema(name: str) -> dict[str, Any]:
    try:
        return syncing.arguments_of(name).model_json_schema()
    except UnknownMutation:
        return {}


def _is_text(prop: dict[str, Any], defs: dict[str, Any]) -> bool:
    kinds = []
    for option in prop.get("anyOf", [prop]):
        if "$ref" in option:
            option = defs.get(option["$ref"].rsplit("/", 1)[-1], {})
        if option.get("type") != "null":
            kinds.append(option.get("type"))
    return bool(kinds) and all(kind == "string" for kind in kinds)


def _arguments(item: InboxRead) -> list[Argument]:
    """The schema's arguments, then any the officer sent that it does not know."""
    schema = _schema(item.name)
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    defs = schema.get("$defs", {})
    found = []
    for name in [*props, *(key for key in item.args if key not in props)]:
        text = name in props and _is_text(props[name], defs)
        value = item.args.get(name)
        if not (text and isinstance(value, str)):
            value = "" if value is None else json.dumps(value, ensure_ascii=False)
        found.append(Argument(name, text, value, name in required))
    return found


def _edited(arguments: list[Argument], sent: queues.Sent) -> dict[str, Any]:
    """The arguments as edited; a blank one is left out, a JSON one must be JSON."""
    args: dict[str, Any] = {}
    errors = []
    for argument in arguments:
        raw = sent.get(ARG + argument.name)
        if raw is None or argument.text:
            if raw is not None:
                args[argument.name] = raw
            continue
        try:
            args[argument.name] = json.loads(raw)
        except ValueError:
            errors.append({"field": ARG + argument.name, "reason": NOT_JSON})
    if errors:
        raise ValidationFailed(f"{len(errors)} argument(s) are not JSON values", errors=errors)
    return args


def _beside_arguments(problem: ValidationFailed, names: set[str]) -> None:
    """Put the schema's (or the rule's) problems beside the argument they are about."""
    errors = problem.extra.get("errors")
    if not errors:
        named = [name for name in names if name in problem.code]
        errors = [{"field": named[0], "reason": problem.detail}] if named else []
    for error in errors:
        top = str(error.get("field") or "").split(".")[0]
        if top in names:
            error["field"] = ARG + top
    problem.extra["errors"] = errors


async def _context(actor: User, item_id: str) -> dict[str, Any]:
    item = await syncing.review_item(actor=actor, item_id=item_id)
    read = InboxRead.of(item)
    entity, _, entity_id = (read.entity or "").partition(":")
    return {
        "item": read,
        "case_id": entity_id if entity == "case" else None,
        "names": await queues.names_of([read.uid, read.review.by if read.review else None]),
        "arguments": _arguments(read),
        "decidable": item.status in DECIDABLE,
        "args_json": json.dumps(read.args, indent=2, ensure_ascii=False, sort_keys=True),
    }


@router.get("/inbox/{item_id}")
async def inbox_item(request: Request, item_id: ItemId, caller: SignedIn) -> Response:
    """One kept mutation: why it was kept, what it carried, and the three decisions."""
    return QUEUE.item_page(request, caller, **await _context(caller.user, item_id))


async def _decide(request: Request, caller: SignedIn, item_id: str, form: str, apply: Any):
    return await QUEUE.decide(
        request, caller, form=form, apply=apply, context=lambda: _context(caller.user, item_id)
    )


@router.post("/inbox/{item_id}/reapply", dependencies=[CsrfChecked])
async def inbox_reapply(request: Request, item_id: ItemId, caller: SignedIn) -> Response:
    """Apply it now as sent, as the reviewer; a refusal shows on the item's page."""

    async def apply(sent: queues.Sent) -> None:
        await syncing.reapply(actor=caller.user, item_id=item_id, args=None, note=None)

    return await _decide(request, caller, item_id, "reapply", apply)


@router.post("/inbox/{item_id}/edit", dependencies=[CsrfChecked])
async def inbox_edit(request: Request, item_id: ItemId, caller: SignedIn) -> Response:
    """Apply it now with the arguments as edited, checked by the mutation's schema."""

    async def apply(sent: queues.Sent) -> None:
        form = forms.parse(Reapply, {k: v for k, v in sent.items() if k == "note"})
        item = InboxRead.of(await syncing.review_item(actor=caller.user, item_id=item_id))
        arguments = _arguments(item)
        try:
            args = _edited(arguments, sent)
            await syncing.reapply(actor=caller.user, item_id=item_id, args=args, note=form.note)
        except ValidationFailed as problem:
            _beside_arguments(problem, {argument.name for argument in arguments})
            raise

    return await _decide(request, caller, item_id, "edit", apply)


@router.post("/inbox/{item_id}/dismiss", dependencies=[CsrfChecked])
async def inbox_dismiss(request: Request, item_id: ItemId, caller: SignedIn) -> Response:
    """Close it without applying; the officer sees the reason."""

    async def apply(sent: queues.Sent) -> None:
        form = forms.parse(Dismiss, {k: v for k, v in sent.items() if k == "reason"})
        await syncing.dismiss(actor=caller.user, item_id=item_id, reason=form.reason)

    return await _decide(request, caller, item_id, "dismiss", apply)
