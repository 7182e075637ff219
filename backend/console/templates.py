"""Jinja2 rendering for the console: autoescaped, strict, every label through the catalogue."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from backend.console.i18n import Language, Translate, translator
from backend.console.nav import nav_for
from backend.console.security import CSRF_FIELD, CSRF_HEADER
from backend.console.sessions import Session
from backend.core.money import Money
from backend.users.models import User

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_URL = "/console/static/"

# htmx reads this from a meta tag: no inline script, no eval, no inline styles (neither
# its indicator styles nor `style` among the attributes it settles after a swap), no page
# snapshots of case data in localStorage; 422 answers swap in (they carry the fields'
# problems), other errors do not. No settle delay: swapped-in controls are live the moment
# they appear (with htmx's default 20 ms, a choice made in that gap was silently lost).
HTMX_CONFIG = {
    "defaultSettleDelay": 0,
    "includeIndicatorStyles": False,
    "attributesToSettle": ["class", "width", "height"],
    "allowEval": False,
    "allowScriptTags": False,
    "selfRequestsOnly": True,
    "historyCacheSize": 0,
    "refreshOnHistoryMiss": True,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "422", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
    ],
}


@cache
def asset_version(name: str) -> str:
    """A digest of the built file, so its URL changes whenever it does (cached for a year)."""
    path = STATIC_DIR / name
    if not path.is_file():
        return "missing"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"{STATIC_URL}{name}?v={asset_version(name)}"


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def _moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _money(value: Money) -> str:
    return str(value)


def _labelled(t: Translate, prefix: str, values: Iterable[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select or a group of checkboxes; labels are `prefix.value`."""
    return [(value.value, t(f"{prefix}.{value.value}")) for value in values]


_environment = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.globals.update(
    static_url=static_url,
    htmx_config=json.dumps(HTMX_CONFIG, separators=(",", ":")),
    csrf_field_name=CSRF_FIELD,
    csrf_header=CSRF_HEADER,
    languages=list(Language),
    labelled=_labelled,
)
_environment.filters.update(day=_day, moment=_moment, money=_money)
# The shared macros (fields with their problems, badges), for every template as `ui`.
_environment.globals["ui"] = _environment.get_template("macros.html").module


def template_for(request: Request, fragments: dict[str, str], page: str) -> str:
    """The part of `page` htmx targets (`fragments`: target id to template); the whole
    page otherwise (a history restore wants it too)."""
    headers = request.headers
    if headers.get("hx-request") != "true" or headers.get("hx-history-restore-request"):
        return page
    return fragments.get(headers.get("hx-target", ""), page)


def render(
    request: Request,
    template: str,
    *,
    session: Session | None,
    user: User | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page (or an htmx fragment) in the session's language."""
    language = session.language if session else Language.ENGLISH
    html = _environment.get_template(template).render(
        t=translator(language),
        language=language,
        session=session,
        user=user,
        nav=nav_for(user.role) if user else [],
        path=request.url.path,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    )
    return HTMLResponse(html, status_code=status)
