from __future__ import annotations

from fastapi import APIRouter, status

from backend.auth.deps import OperatorStaff
from backend.core.schemas import AccountNumber
from backend.dunning import experiments, service, strategies
from backend.dunning.schemas import (
    EvaluationSummary,
    ExperimentRead,
    ExperimentReport,
    ExperimentSetup,
    LadderOverride,
    LadderRead,
    LedgerEntryRead,
    StandingRead,
    StrategyCreate,
    StrategyRead,
    StrategyUpdate,
    StrategyVersionRead,
)
from backend.segments.schemas import SegmentPath

router = APIRouter(tags=["dunning"])

StrategyId = SegmentPath
AccountId = AccountNumber


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


@router.put("/dunning/experiments/{strategy_id}", summary="Start or change a champion/challenger")
async def set_up_experiment(
    actor: OperatorStaff, strategy_id: StrategyId, body: ExperimentSetup
) -> ExperimentRead:
    """A challenger ladder on `share_bp` of the segment's new cycles; a running experiment
    keeps its placements (a new challenger version, a new share for new cycles)."""
    return await experiments.set_up(actor=actor, segment_id=strategy_id, data=body)


@router.get("/dunning/experiments/{strategy_id}", summary="A segment's champion/challenger report")
async def experiment_report(actor: OperatorStaff, strategy_id: StrategyId) -> ExperimentReport:
    """Per arm: cure rate, collected in 30/60/90 days, contacts and cost per cure, each
    rate and mean with its 95% interval."""
    return await experiments.report(segment_id=strategy_id)


@router.get(
    "/dunning/experiments/{strategy_id}/challenger/versions",
    summary="The versions of a segment's challenger",
)
async def list_challenger_versions(
    actor: OperatorStaff, strategy_id: StrategyId
) -> list[StrategyVersionRead]:
    """Every version, newest first."""
    return await strategies.list_versions(strategy_id=experiments.challenger_id(strategy_id))


@router.post("/dunning/experiments/{strategy_id}/promote", summary="Promote the challenger")
async def promote_challenger(actor: OperatorStaff, strategy_id: StrategyId) -> ExperimentRead:
    """The challenger's ladder becomes the champion's next version; the experiment ends."""
    return await experiments.promote(actor=actor, segment_id=strategy_id)


@router.post("/dunning/experiments/{strategy_id}/stop", summary="Stop an experiment")
async def stop_experiment(actor: OperatorStaff, strategy_id: StrategyId) -> ExperimentRead:
    """Every new cycle climbs the champion's ladder again."""
    return await experiments.stop(actor=actor, segment_id=strategy_id)
