from backend.core.errors import Conflict, ValidationFailed


class ContactTimeInvalid(ValidationFailed):
    """contacted_at is in the future (beyond a small clock skew) or before the case existed."""

    code = "negotiation.contacted_at_invalid"
    title = "Contact time not plausible"


class OutcomeInconsistent(ValidationFailed):
    """The outcome does not fit the rest of the record.

    A promise needs `promise`, a dispute needs `dispute_reason`, and only an unreached
    customer is `unreachable`.
    """

    code = "negotiation.outcome_inconsistent"
    title = "Outcome does not fit the record"


class PromiseInvalid(ValidationFailed):
    """The promise's amount must be above zero, in the case's currency and at most what is
    outstanding; its due date no earlier than the contact day and within a year of it."""

    code = "negotiation.promise_invalid"
    title = "Promise to pay not acceptable"


class FollowUpInvalid(ValidationFailed):
    """next_follow_up must come after the contact."""

    code = "negotiation.follow_up_invalid"
    title = "Follow-up date not acceptable"


class NotAssigned(Conflict):
    """No officer holds the case yet, so nobody can have negotiated on it."""

    code = "negotiation.not_assigned"
    title = "Case has no officer yet"


class PromiseChanged(Conflict):
    """The promise changed while this request was applied; retry."""

    code = "negotiation.promise_changed"
    title = "Promise changed concurrently"
