from backend.core.errors import Conflict, ValidationFailed


class NotEscalatable(Conflict):
    """Only a case in negotiation or settlement can be escalated to the mediation board."""

    code = "mediation.not_escalatable"
    title = "Case cannot be escalated now"


class NotInMediation(Conflict):
    """The case is not before the mediation board."""

    code = "mediation.not_in_mediation"
    title = "Case is not in mediation"


class NotInLegalReview(Conflict):
    """The case is not awaiting the operator's legal or write-off decision."""

    code = "mediation.not_in_legal_review"
    title = "Case is not in legal review"


class NoRecommendation(Conflict):
    """The case reached legal review without a recommendation from the board file."""

    code = "mediation.no_recommendation"
    title = "No recommendation to decide on"


class RecommendationRequired(ValidationFailed):
    """A failed hearing needs a recommendation (legal or write_off) and its justification."""

    code = "mediation.recommendation_required"
    title = "Recommendation required"


class HearingInconsistent(ValidationFailed):
    """The hearing's outcome, attendance and follow-up fields contradict each other."""

    code = "mediation.hearing_inconsistent"
    title = "Hearing record is inconsistent"


class HearingDateInvalid(ValidationFailed):
    """A next hearing must come after the hearing that set it, and not lie in the past."""

    code = "mediation.hearing_date_invalid"
    title = "Hearing date not acceptable"


class ReasonRequired(ValidationFailed):
    """Rejecting a recommendation needs a reason the officer can act on."""

    code = "mediation.reason_required"
    title = "Reason required"


class MediationChanged(Conflict):
    """The board file changed since it was read; reload and try again."""

    code = "mediation.changed"
    title = "Board file changed concurrently"
