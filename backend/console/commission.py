"""Commission in the console: rate tables (operator admins publish new versions) and
monthly statements (operator staff: any DRC; supervisors: their own), each with a CSV.

Everything goes through the commission service the API uses, so a supervisor asking for
another DRC's statement gets the not-found page, and rates are checked by the same rules.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from backend.commission import service as commission
from backend.commission.errors import RatesInvalid
from backend.commission.models import PAYMENT_TYPES, CommissionRateTable
from backend.commission.schemas import (
    MONTH_PATTERN,
    CommissionEntryRead,
    CommissionStatement,
    RateTableCreate,
)
from backend.console import forms
from backend.console.deps import Caller, CsrfChecked, SignedIn
from backend.console.i18n import translator
from backend.console.routing import ConsoleRoute
from backend.console.templates import render
from backend.core import clock
from backend.core.csvexport import Cell, csv_response
from backend.core.errors import ValidationFailed
from backend.core.money import DEFAULT_CURRENCY, major_text, major_units
from backend.drcs import service as drcs
from backend.users.models import Role
from backend.users.schemas import DRC_ID_PATTERN

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

RULE_FIELDS = ("recovery_type", "min_age_days", "max_age_days", "rate_bp")
NUMBER_FIELDS = RULE_FIELDS[1:]
SPARE_ROWS = 5
_RULE_FIELD = re.compile(r"^rules\.(\d{1,3})\.(\w+)$")
_WHOLE = re.compile(r"^[0-9]{1,6}$")


class StatementQuery(BaseModel):
    """Which statement: a month, and (operator staff) a DRC; supervisors get their own."""

    model_config = ConfigDict(extra="ignore")

    month: str = Field(pattern=MONTH_PATTERN)
    drc: str | None = Field(default=None, pattern=DRC_ID_PATTERN)

    def link(self, suffix: str = "") -> str:
        params = urlencode(self.model_dump(exclude_none=True))
        return f"/console/commission/statement{suffix}?{params}"


def _this_month() -> str:
    return clock.now().strftime("%Y-%m")


@router.get("/commission")
async def commission_page(request: Request, caller: SignedIn) -> Response:
    """The statement chooser and every rate table version, newest first."""
    actor = caller.user
    return render(
        request,
        "commission/index.html",
        session=caller.session,
        user=actor,
        tables=await commission.list_rate_tables(actor=actor),
        drcs=await drcs.list_for(actor=actor) if actor.is_operator else [],
        month=_this_month(),
        may_publish=actor.role is Role.OPERATOR_ADMIN,
        published=request.query_params.get("published"),
    )


async def _statement(
    caller: Caller, request: Request
) -> tuple[StatementQuery, CommissionStatement]:
    query = forms.parse(StatementQuery, forms.values(request.query_params))
    found = await commission.statement(actor=caller.user, drc_id=query.drc, month=query.month)
    return query, found


@router.get("/commission/statement")
async def statement_page(request: Request, caller: SignedIn) -> Response:
    """One DRC's month: earnings, clawbacks and totals, with its CSV."""
    query, statement = await _statement(caller, request)
    return render(
        request,
        "commission/statement.html",
        session=caller.session,
        user=caller.user,
        statement=statement,
        nets={total.currency: major_text(total.net.amount) for total in statement.totals},
        csv_link=query.link(".csv"),
    )


def _statement_row(entry: CommissionEntryRead) -> list[Cell]:
    rule = entry.rule
    return [
        entry.booked_at.isoformat(),
        entry.kind.value,
        entry.case_id,
        entry.customer_name,
        entry.recovery_type.value,
        entry.payment_id,
        entry.cpe_serial,
        major_text(entry.basis.amount) if entry.basis else None,
        rule.rate_bp if rule else None,
        major_text(entry.signed_amount),
        entry.amount.currency,
    ]


STATEMENT_COLUMNS = (
    "booked_at",
    "kind",
    "case",
    "customer",
    "recovery_type",
    "payment",
    "cpe_serial",
    "basis",
    "rate_bp",
    "amount",
    "currency",
)


@router.get("/commission/statement.csv")
async def statement_csv(request: Request, caller: SignedIn) -> Response:
    """The statement's entries and clawbacks, in booking order, as a CSV download."""
    _, statement = await _statement(caller, request)
    t = translator(caller.session.language)
    entries = sorted([*statement.entries, *statement.clawbacks], key=lambda e: e.booked_at)
    return csv_response(
        f"commission-{statement.drc_id}-{statement.month}.csv",
        [t(f"statement_col.{name}") for name in STATEMENT_COLUMNS],
        [_statement_row(e) for e in entries],
    )


# --------------------------------------------------------------------------- rate tables


def _rows_of(table: CommissionRateTable | None) -> list[dict[str, str]]:
    """The form's rows: the newest table's rules (or one open band per type), and spares."""
    if table is not None:
        rules = [r.model_dump(mode="json") for r in table.rules]
    else:
        rules = [{"recovery_type": kind.value, "min_age_days": 0} for kind in PAYMENT_TYPES]
    filled = [{name: _text(rule.get(name)) for name in RULE_FIELDS} for rule in rules]
    return filled + [dict.fromkeys(RULE_FIELDS, "") for _ in range(SPARE_ROWS)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _rows_sent(form: FormData) -> list[dict[str, str]]:
    indices = sorted({int(m.group(1)) for key in form if (m := _RULE_FIELD.match(key))})
    return [
        {name: str(form.get(f"rules.{i}.{name}", "")).strip() for name in RULE_FIELDS}
        for i in indices
    ]


def _rules_of(rows: list[dict[str, str]]) -> tuple[list[dict], list[int], list[dict]]:
    """The rules filled in, the form row each came from, and numbers that are not whole."""
    rules: list[dict] = []
    places: list[int] = []
    problems: list[dict] = []
    for place, row in enumerate(rows):
        if not any(row[name] for name in NUMBER_FIELDS):
            continue  # a spare row left blank
        rule: dict[str, Any] = {k: v for k, v in row.items() if v}
        for name in NUMBER_FIELDS:
            if row[name] and not _WHOLE.match(row[name]):
                reason = "enter a whole number"
                problems.append({"field": f"rules.{place}.{name}", "reason": reason})
            elif row[name]:
                rule[name] = int(row[name])
        rules.append(rule)
        places.append(place)
    return rules, places, problems


def _rates_of(form: FormData, rows: list[dict[str, str]]) -> RateTableCreate:
    """The form as the API's body; every field's problem named by its place on the form."""
    rules, places, problems = _rules_of(rows)
    try:
        fee = major_units(str(form.get("cpe_fee") or "0"))
    except ValueError as exc:
        problems.append({"field": "cpe_fee", "reason": str(exc)})
        fee = 0
    body = {
        "effective_from": form.get("effective_from") or None,
        "rules": rules,
        "cpe_fee_per_item": {"amount": fee, "currency": DEFAULT_CURRENCY},
        "note": str(form.get("note") or "").strip() or None,
    }
    try:
        data = forms.parse(RateTableCreate, body)
    except ValidationFailed as exc:
        problems += [_placed(e, places) for e in exc.extra["errors"]]
    if problems:
        raise ValidationFailed(f"{len(problems)} field(s) need a change", errors=problems)
    return data


def _placed(error: dict[str, Any], places: list[int]) -> dict[str, str]:
    """A rule's error named by its row on the form (blank rows are not sent)."""
    parts = error["field"].split(".")
    if parts[0] == "rules" and len(parts) > 1 and parts[1].isdigit():
        parts[1] = str(places[int(parts[1])])
    if parts[0] == "cpe_fee_per_item":
        parts = ["cpe_fee"]
    return {"field": ".".join(parts), "reason": error["reason"]}


def _rates_form(
    request: Request,
    caller: Caller,
    *,
    values: dict[str, str],
    rows: list[dict[str, str]],
    problem: ValidationFailed | None = None,
) -> Response:
    return render(
        request,
        "commission/rates_form.html",
        session=caller.session,
        user=caller.user,
        status=problem.status if problem else 200,
        values=values,
        rows=rows,
        types=PAYMENT_TYPES,
        problem=problem,
        fields=forms.field_problems(problem),
    )


@router.get("/commission/rates/new")
async def new_rates(request: Request, caller: SignedIn) -> Response:
    """The form for a new version, filled in from the newest one (operator admins)."""
    commission.require_rate_setter(caller.user)
    tables = await commission.list_rate_tables(actor=caller.user)
    newest = tables[0] if tables else None
    values = {
        "effective_from": clock.now().date().isoformat(),
        "cpe_fee": str(major_text(newest.cpe_fee_per_item.amount)) if newest else "0.00",
        "note": "",
    }
    return _rates_form(request, caller, values=values, rows=_rows_of(newest))


@router.post("/commission/rates", dependencies=[CsrfChecked])
async def publish_rates(request: Request, caller: SignedIn) -> Response:
    """Publish the form as a new version; problems show beside their fields, nothing saved."""
    commission.require_rate_setter(caller.user)
    form = await request.form()
    rows = _rows_sent(form)
    try:
        table = await commission.create_rate_table(actor=caller.user, data=_rates_of(form, rows))
    except RatesInvalid as exc:
        problem = ValidationFailed(exc.detail, errors=[{"field": "rules", "reason": exc.detail}])
    except ValidationFailed as exc:
        problem = exc
    else:
        return RedirectResponse(f"/console/commission?published={table.version}", status_code=303)
    values = {name: str(form.get(name) or "") for name in ("effective_from", "cpe_fee", "note")}
    return _rates_form(request, caller, values=values, rows=rows, problem=problem)
