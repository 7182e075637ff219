from backend.core.errors import DomainError, NotFound, ValidationFailed


class StatementMalformed(ValidationFailed):
    """The statement file cannot be read as the CSV layout or as camt.053; `errors` lists
    each line's problem. Nothing in it was booked."""

    code = "bank.statement_malformed"
    title = "Statement file not readable"


class StatementTooLarge(DomainError):
    """The statement file is larger than DEBTX_BANK__MAX_STATEMENT_BYTES; nothing was booked."""

    code = "bank.statement_too_large"
    status = 413
    title = "Statement file too large"


class StatementNotFound(NotFound):
    """No imported statement file has this id."""

    code = "bank.statement_not_found"
    title = "Statement not found"


class WebhookRefused(DomainError):
    """The bank's notification lacks its timestamp or signature, is not signed with the
    webhook secret over exactly this body, or is outside the accepted window; nothing was
    booked."""

    code = "bank.webhook_refused"
    status = 401
    title = "Bank notification signature or timestamp not accepted"


class StatementFetchFailed(DomainError):
    """The bank's statement endpoint did not answer as expected; the next run tries again."""

    code = "bank.fetch_failed"
    status = 502
    title = "Bank statement endpoint unavailable"
