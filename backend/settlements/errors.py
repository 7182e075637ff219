from backend.core.errors import Conflict, Forbidden, ValidationFailed


class SettlementPhaseNotAllowed(Conflict):
    """Settlements are agreed in negotiation, or by the mediation board in mediation."""

    code = "settlement.phase_not_allowed"
    title = "Case is not in a phase that settles"


class TermsInvalid(ValidationFailed):
    """The terms do not hold together.

    A lump sum needs `due_date` and no instalments; a plan needs at least two instalments.
    Amounts must be above zero and due dates no earlier than today, strictly increasing
    and within five years.
    """

    code = "settlement.invalid_terms"
    title = "Settlement terms not acceptable"


class TotalMismatch(ValidationFailed):
    """The instalment amounts do not add up to the settled total."""

    code = "settlement.total_mismatch"
    title = "Instalments do not add up to the total"


class ExceedsOutstanding(ValidationFailed):
    """The settled total is more than the case's outstanding arrears."""

    code = "settlement.exceeds_outstanding"
    title = "Settlement exceeds what is owed"


class CurrencyMismatch(ValidationFailed):
    """Every amount must be in the currency of the case's arrears."""

    code = "settlement.currency_mismatch"
    title = "Wrong currency"


class DiscountNeedsSupervisor(Forbidden):
    """A total below the outstanding arrears is a discount: a DRC supervisor agrees it
    (or the mediation board, through mediation)."""

    code = "settlement.discount_needs_supervisor"
    title = "Discount needs a supervisor"


class SettlementChanged(Conflict):
    """The settlement changed while this request was applied; retry."""

    code = "settlement.changed"
    title = "Settlement changed concurrently"
