from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from backend.auth.deps import OperatorStaff
from backend.dunning import service, strategies
from backend.dunning.schemas import (
    EvaluationSummary,
    LadderOverride,
    LadderRead,
    LedgerEntryRead,
    StandingRead,
    StrategyCreate,
    StrategyRead,
    StrategyUpdate,
    StrategyVersionRead,
)

router = APIRouter(tags=["dunning"])

StrategyId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="Segment key")]
AccountId = Annotated[str, Path(min_length=1, max_length=64, description="BSS account number")]


@router.get("/dunning/strategies", summary="Every segment's dunning strategy")
async def list_strategies(actor: OperatorStaff) -> list[StrategyRead]:
    """The current version of each."""
    return await strategies.list_strategies()


@router.post(
    "/dunning/strategies", status_code=status.HTTP_201_CREATED, summary="Create a strategy"
)
async def create_strategy(actor: OperatorStaff, body: StrategyCreate) -> StrategyRead:
    """Version 1 of a segment's ladder; a step refused names its field, nothing is stored."""
    return await strategies.create_strategy(actor=actor, data=body)


@router.get("/dunning/strategies/{strategy_id}", summary="One strategy")
async def get_strategy(actor: OperatorStaff, strategy_id: StrategyId) -> StrategyRead:
    """Its current version."""
    return await strategies.get_strategy(strategy_id=strategy_id)


@router.put("/dunning/strategies/{strategy_id}", summary="Store a new version of a strategy")
async def update_strategy(
    actor: OperatorStaff, strategy_id: StrategyId, body: StrategyUpdate
) -> StrategyRead:
    """Evaluations from now on use the new version."""
    return await strategies.update_strategy(actor=actor, strategy_id=strategy_id, data=body)


@router.get("/dunning/strategies/{strategy_id}/versions", summary="A strategy's versions")
async def list_versions(actor: OperatorStaff, strategy_id: StrategyId) -> list[StrategyVersionRead]:
    """Every version, newest first."""
    return await strategies.list_versions(strategy_id=strategy_id)


@router.get("/dunning/accounts/{account_id}", summary="An account's standing and ladder")
async def get_standing(actor: OperatorStaff, account_id: AccountId) -> StandingRead:
    """Balance, days past due, history, segment and why, and the ladder's state."""
    return await service.get_standing(account_id=account_id)


@router.get("/dunning/accounts/{account_id}/ledger", summary="Steps taken for an account")
async def get_ledger(actor: OperatorStaff, account_id: AccountId) -> list[LedgerEntryRead]:
    """Oldest first, each with the strategy version that took it."""
    return await service.ledger_of(account_id=account_id)


@router.post("/dunning/accounts/{account_id}/evaluate", summary="Evaluate one account now")
async def evaluate_account(actor: OperatorStaff, account_id: AccountId) -> EvaluationSummary:
    """As the daily run would; a step already taken is not taken again."""
    return await service.evaluate_accounts([account_id])


@router.post("/dunning/accounts/{account_id}/override", summary="Skip, hold or release a ladder")
async def override_ladder(
    actor: OperatorStaff, account_id: AccountId, body: LadderOverride
) -> LadderRead:
    """With a reason; audited."""
    return await service.override_ladder(actor=actor, account_id=account_id, data=body)
