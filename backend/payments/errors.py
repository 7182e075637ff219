from backend.core.errors import Conflict, NotFound, ValidationFailed


class PaymentNotFound(NotFound):
    """No such payment, or not one the caller may see."""

    code = "payment.not_found"
    title = "Payment not found"


class DuplicateReference(Conflict):
    """A payment with this reference was already recorded on this channel; it is never
    applied twice."""

    code = "payment.duplicate_reference"
    title = "Payment already recorded"


class AlreadyReversed(Conflict):
    """The payment has already been reversed."""

    code = "payment.already_reversed"
    title = "Payment already reversed"


class NothingOutstanding(Conflict):
    """The case has no arrears left to pay (or never had an arrears part)."""

    code = "payment.nothing_outstanding"
    title = "Nothing outstanding on this case"


class AmountInvalid(ValidationFailed):
    """The amount must be above zero and in the currency of the case's arrears."""

    code = "payment.amount_invalid"
    title = "Payment amount not acceptable"


class PaidAtInvalid(ValidationFailed):
    """paid_at is in the future (beyond a small clock skew) or before the year 2000."""

    code = "payment.paid_at_invalid"
    title = "Payment time not plausible"


class PaymentChanged(Conflict):
    """The payment changed while this request was applied; retry."""

    code = "payment.changed"
    title = "Payment changed concurrently"
