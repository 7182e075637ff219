"""The customer message templates (per message, channel and language), through the
service behind `/notifications/templates`: list, reword with its placeholder check,
preview with sample values, and back to the built-in wording. Operator staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from backend.console import editing, forms
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import OperatorCaller
from backend.console.routing import ConsoleRoute
from backend.core.errors import DomainError
from backend.customers.models import Language
from backend.notifications import contact
from backend.notifications import templates as wording
from backend.notifications.models import TemplateKey
from backend.notifications.schemas import CustomerChannel, TemplateRead, TemplateUpdate

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

HOME = "/console/templates"
ONE = "/templates/{key}/{channel}/{language}"
NOTICES = ("template_saved", "template_reset")


@dataclass(frozen=True)
class OneTemplate:
    """The template a page is about, as it is now, and who is at the console."""

    caller: Caller
    key: TemplateKey
    channel: CustomerChannel
    language: Language
    current: TemplateRead

    def preview(self, data: TemplateUpdate) -> wording.Wording:
        return contact.preview_template(
            actor=self.caller.user, channel=self.channel.channel, data=data
        )


async def _one(
    key: TemplateKey, channel: CustomerChannel, language: Language, caller: OperatorCaller
) -> OneTemplate:
    found = await contact.list_templates(actor=caller.user)
    address = (key, channel.channel, language)
    current = next(t for t in found if (t.key, t.channel, t.language) == address)
    return OneTemplate(caller, key, channel, language, current)


Addressed = Annotated[OneTemplate, Depends(_one)]


FORM = editing.Form(
    "message_templates/_fields.html",
    back=HOME,
    labels="templates",
    template="message_templates/edit.html",
)


def _edit_page(
    request: Request,
    one: OneTemplate,
    values: dict[str, Any],
    *,
    preview: wording.Wording | None = None,
    problem: DomainError | None = None,
) -> Response:
    now = one.current
    return FORM.page(
        request,
        one.caller,
        values,
        of=f"{now.key.value}/{now.channel.value}/{now.language.value}",
        problem=problem,
        message=now,
        preview=preview,
        placeholders=sorted(wording.VARIABLES),
    )


@router.get("/templates")
async def template_list(request: Request, caller: OperatorCaller) -> Response:
    """Every message, channel and language, stored or built in."""
    found = await contact.list_templates(actor=caller.user)
    return editing.list_page(
        request, caller, "message_templates/list.html", notices=NOTICES, messages=found
    )


@router.get(ONE)
async def edit_template(request: Request, one: Addressed) -> Response:
    """The wording as it is now, with its preview."""
    now = one.current
    shown = one.preview(TemplateUpdate(subject=now.subject, body=now.body))
    return _edit_page(request, one, {"subject": now.subject, "body": now.body}, preview=shown)


@router.post(ONE, dependencies=[CsrfChecked])
async def save_template(request: Request, one: Addressed) -> Response:
    """Store the wording as `PUT /notifications/templates/...` does, placeholders checked."""
    values = await editing.posted(request)

    async def save() -> None:
        data = forms.parse(TemplateUpdate, values)
        await contact.set_template(
            actor=one.caller.user,
            key=one.key,
            channel=one.channel.channel,
            language=one.language,
            data=data,
        )

    return await editing.save_or_show(
        save,
        lambda p: _edit_page(request, one, values, problem=p),
        back=HOME,
        notice="template_saved",
    )


@router.post(f"{ONE}/preview", dependencies=[CsrfChecked])
async def preview_template(request: Request, one: Addressed) -> Response:
    """The wording as typed, filled with sample values; nothing is stored."""
    values = await editing.posted(request)
    try:
        shown = one.preview(forms.parse(TemplateUpdate, values))
    except editing.FORM_PROBLEMS as problem:
        return _edit_page(request, one, values, problem=problem)
    return _edit_page(request, one, values, preview=shown)


@router.post(f"{ONE}/reset", dependencies=[CsrfChecked])
async def reset_template(one: Addressed) -> Response:
    """Back to DebtX's own wording, as `DELETE /notifications/templates/...` does."""
    await contact.reset_template(
        actor=one.caller.user, key=one.key, channel=one.channel.channel, language=one.language
    )
    return editing.saved(HOME, "template_reset")
