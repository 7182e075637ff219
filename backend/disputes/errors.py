from backend.core.errors import Conflict, NotFound, ValidationFailed


class DisputeNotFound(NotFound):
    """No such dispute within the caller's reach."""

    code = "dispute.not_found"
    title = "Dispute not found"


class InvalidTransition(Conflict):
    """The dispute is not in a state this step may follow: open → investigating → resolved;
    `status` gives where it is."""

    code = "dispute.invalid_transition"
    title = "Dispute cannot move this way"


class DisputeChanged(Conflict):
    """The dispute changed while this request was handled; reload and retry."""

    code = "dispute.changed"
    title = "Dispute changed concurrently"
    retryable = True


class DisputeSubjectInvalid(ValidationFailed):
    """The account, case, payment or receipt named is unknown, out of reach, or not the
    account's; `errors` names the field."""

    code = "dispute.subject_invalid"
    title = "Disputed record not found on the account"


class ResolutionInvalid(ValidationFailed):
    """The resolution does not fit the dispute: a refund of a payment is its whole amount,
    in its currency; `errors` names the field."""

    code = "dispute.resolution_invalid"
    title = "Resolution does not fit the dispute"
