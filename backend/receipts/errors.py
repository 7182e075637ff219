from backend.core.errors import Conflict, NotFound, ValidationFailed


class ReceiptNotFound(NotFound):
    """No receipt has this id (or it is outside the caller's reach)."""

    code = "receipts.not_found"
    title = "Receipt not found"


class ReceiptBooked(Conflict):
    """The receipt is already booked: it is neither matched again nor refunded here (a
    booked payment is reversed through its payment); it was left as it is."""

    code = "receipts.already_booked"
    title = "Receipt already booked"


class ReceiptRefunded(Conflict):
    """The receipt was refunded to the payer: it cannot be matched or refunded again."""

    code = "receipts.already_refunded"
    title = "Receipt already refunded"


class ReceiptChanged(Conflict):
    """The receipt changed while this request was handled; read it again."""

    code = "receipts.changed"
    title = "Receipt changed concurrently"
    retryable = True


class MatchRefused(ValidationFailed):
    """The account or case given cannot take this receipt (unknown, closed, nothing
    outstanding, another currency, or the case is not the account's)."""

    code = "receipts.match_refused"
    title = "Receipt cannot be matched there"
