"""The allocation rules: their order, conditions and DRCs, through the rules service the
API uses (`/allocation/rules`). Operator staff read them; operator admins change them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from backend.allocation import rules
from backend.allocation.models import AllocationRule, ChoiceStrategy
from backend.allocation.schemas import RuleCreate, RuleUpdate
from backend.cases.models import Action
from backend.console import editing, forms
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import AdminCaller, OperatorCaller
from backend.console.routing import ConsoleRoute
from backend.core.errors import DomainError
from backend.core.money import DEFAULT_CURRENCY, Money
from backend.drcs import service as drcs
from backend.users.models import Role

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

HOME = "/console/allocation"
RuleId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
LISTS = ("actions", "drc_ids", "excluded_drc_ids")
NOTICES = ("rule_created", "rule_updated", "rule_enabled", "rule_disabled", "rules_reordered")
CONDITIONS = ("arrears_min", "arrears_max", "regions", "actions", "min_age_days", "max_age_days")
# API field paths as the form names them (the band's currency is one field here).
WHERE = {
    **{f"conditions.{name}": name for name in CONDITIONS},
    "conditions.arrears_min.currency": "currency",
    "conditions.arrears_max.currency": "currency",
}
Amount = Annotated[Decimal, Field(ge=0, decimal_places=2, max_digits=13)]


class RuleForm(BaseModel):
    """The rule form as typed: amounts in rupees, regions separated by commas."""

    model_config = ConfigDict(extra="forbid")

    name: str
    priority: int = 100
    active: bool = False
    currency: str = DEFAULT_CURRENCY
    arrears_min: Amount | None = None
    arrears_max: Amount | None = None
    regions: str = ""
    actions: list[Action] = []
    min_age_days: int | None = None
    max_age_days: int | None = None
    drc_ids: list[str] = []
    excluded_drc_ids: list[str] = []
    validity_days: int = 60
    strategy: ChoiceStrategy = ChoiceStrategy.PERFORMANCE

    def _money(self, amount: Decimal | None) -> dict[str, Any] | None:
        return None if amount is None else {"amount": int(amount * 100), "currency": self.currency}

    def body(self) -> dict[str, Any]:
        """The API's body for this rule; empty choices mean 'any'."""
        regions = [r.strip() for r in self.regions.split(",") if r.strip()]
        return {
            **self.model_dump(include={"name", "priority", "active", "validity_days", "strategy"}),
            "conditions": {
                "arrears_min": self._money(self.arrears_min),
                "arrears_max": self._money(self.arrears_max),
                "regions": regions or None,
                "actions": self.actions or None,
                "min_age_days": self.min_age_days,
                "max_age_days": self.max_age_days,
            },
            "drc_ids": self.drc_ids or None,
            "excluded_drc_ids": self.excluded_drc_ids,
        }


def _rupees(money: Money | None) -> str:
    return "" if money is None else f"{money.amount // 100}.{money.amount % 100:02d}"


def values_of(rule: AllocationRule) -> dict[str, Any]:
    """A stored rule as its form shows it."""
    c = rule.conditions
    band = c.arrears_min or c.arrears_max
    return {
        "name": rule.name,
        "priority": str(rule.priority),
        "active": rule.active,
        "currency": band.currency if band else DEFAULT_CURRENCY,
        "arrears_min": _rupees(c.arrears_min),
        "arrears_max": _rupees(c.arrears_max),
        "regions": ", ".join(c.regions or []),
        "actions": [a.value for a in c.actions or []],
        "min_age_days": "" if c.min_age_days is None else str(c.min_age_days),
        "max_age_days": "" if c.max_age_days is None else str(c.max_age_days),
        "drc_ids": rule.drc_ids or [],
        "excluded_drc_ids": rule.excluded_drc_ids,
        "validity_days": str(rule.validity_days),
        "strategy": rule.strategy.value,
    }


def _body(values: dict[str, Any]) -> dict[str, Any]:
    return forms.parse(RuleForm, values).body()


FORM = editing.Form("allocation/_fields.html", back=HOME, labels="allocation", where=WHERE)


async def _form(
    request: Request,
    caller: Caller,
    values: dict[str, Any],
    rule_id: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    """The new rule's form, or rule `rule_id`'s, with the DRCs to choose from."""
    found = await drcs.list_for(actor=caller.user)
    choices = [(d.id, f"{d.id} · {d.name}") for d in found]
    return FORM.page(
        request,
        caller,
        values,
        of=rule_id,
        problem=problem,
        drcs=choices,
        actions=list(Action),
        strategies=list(ChoiceStrategy),
    )


@router.get("/allocation")
async def rule_list(request: Request, caller: OperatorCaller) -> Response:
    """Every rule in the order the engine tries them, active or not."""
    return editing.list_page(
        request,
        caller,
        "allocation/list.html",
        notices=NOTICES,
        rules=await rules.list_rules(actor=caller.user, include_inactive=True),
        can_change=caller.user.role is Role.OPERATOR_ADMIN,
    )


@router.get("/allocation/new")
async def new_rule(request: Request, caller: AdminCaller) -> Response:
    """An empty rule, active, for any DRC."""
    values = {"active": True, "priority": "100", "validity_days": "60", "currency": "LKR"}
    return await _form(request, caller, values)


@router.post("/allocation/new", dependencies=[CsrfChecked])
async def create_rule(request: Request, caller: AdminCaller) -> Response:
    """Add the rule as the API's `POST /allocation/rules` does."""
    values = await editing.posted(request, lists=LISTS)

    async def save() -> None:
        data = forms.parse(RuleCreate, _body(values))
        await rules.create_rule(actor=caller.user, data=data)

    return await editing.save_or_show(
        save, lambda p: _form(request, caller, values, problem=p), back=HOME, notice="rule_created"
    )


@router.get("/allocation/{rule_id}")
async def edit_rule(request: Request, rule_id: RuleId, caller: AdminCaller) -> Response:
    """The rule's form with what it holds now."""
    rule = await rules.get_rule(actor=caller.user, rule_id=rule_id)
    return await _form(request, caller, values_of(rule), rule_id)


@router.post("/allocation/{rule_id}", dependencies=[CsrfChecked])
async def update_rule(request: Request, rule_id: RuleId, caller: AdminCaller) -> Response:
    """Change the rule as `PATCH /allocation/rules/{id}` does, every field as sent."""
    await rules.get_rule(actor=caller.user, rule_id=rule_id)
    values = await editing.posted(request, lists=LISTS)

    async def save() -> None:
        data = forms.parse(RuleUpdate, _body(values))
        await rules.update_rule(actor=caller.user, rule_id=rule_id, data=data)

    return await editing.save_or_show(
        save, lambda p: _form(request, caller, values, rule_id, p), back=HOME, notice="rule_updated"
    )


@router.post("/allocation/{rule_id}/active", dependencies=[CsrfChecked])
async def switch_rule(request: Request, rule_id: RuleId, caller: AdminCaller) -> Response:
    """Enable (as `PATCH active: true`) or disable (as `DELETE`) a rule."""
    if await editing.toggled(request):
        data = RuleUpdate(active=True)
        await rules.update_rule(actor=caller.user, rule_id=rule_id, data=data)
        return editing.saved(HOME, "rule_enabled")
    await rules.deactivate_rule(actor=caller.user, rule_id=rule_id)
    return editing.saved(HOME, "rule_disabled")


@router.post("/allocation/{rule_id}/move", dependencies=[CsrfChecked])
async def move_rule(request: Request, rule_id: RuleId, caller: AdminCaller) -> Response:
    """One place earlier or later, as `PUT /allocation/rule-order` with the new order."""
    order = [str(r.id) for r in await rules.list_rules(actor=caller.user, include_inactive=True)]
    await rules.get_rule(actor=caller.user, rule_id=rule_id)
    if (changed := await editing.moved(request, order, rule_id)) is not None:
        await rules.reorder_rules(actor=caller.user, rule_ids=changed)
    return editing.saved(HOME, "rules_reordered")
