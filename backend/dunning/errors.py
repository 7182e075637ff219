from __future__ import annotations

from backend.core.errors import Conflict, NotFound, ValidationFailed


class StrategyInvalid(ValidationFailed):
    """A strategy's step cannot be used; `errors` names the field."""

    code = "dunning.strategy_invalid"
    title = "Strategy invalid"


class StrategyNotFound(NotFound):
    code = "dunning.strategy_not_found"
    title = "No such strategy"


class AccountNotInDunning(NotFound):
    """The account has not been evaluated, or is not overdue."""

    code = "dunning.account_not_found"
    title = "Account not in dunning"


class StepUnknown(ValidationFailed):
    code = "dunning.step_unknown"
    title = "No such step on the account's ladder"


class NotHeld(Conflict):
    code = "dunning.not_held"
    title = "The ladder is not held"


class ExperimentInvalid(ValidationFailed):
    """A champion/challenger setup cannot run; `errors` names the field."""

    code = "dunning.experiment_invalid"
    title = "Experiment invalid"


class ExperimentNotFound(NotFound):
    code = "dunning.experiment_not_found"
    title = "No such experiment"


class ExperimentRunning(Conflict):
    """Another experiment was started on the segment at the same moment."""

    code = "dunning.experiment_running"
    title = "The segment runs an experiment already"
