from backend.core.errors import DomainError, NotFound, ValidationFailed


class WebhookRefused(DomainError):
    """BSS's push lacks its timestamp or signature, is not signed with the billing webhook
    secret over exactly this body, or its timestamp is outside the accepted window;
    nothing was changed."""

    code = "billing.webhook_refused"
    status = 401
    title = "Webhook signature or timestamp not accepted"


class InvoiceNotFound(NotFound):
    """No invoice with this id within the caller's reach."""

    code = "billing.invoice_not_found"
    title = "Invoice not found"


class BillingAccountNotFound(NotFound):
    """No billing account with this number within the caller's reach."""

    code = "billing.account_not_found"
    title = "Billing account not found"


class FeedNotFound(NotFound):
    """No billing feed with this id."""

    code = "billing.feed_not_found"
    title = "Billing feed not found"


class InvalidFeed(ValidationFailed):
    """The feed cannot be read as a BSS billing feed (its kind, its CSV header, an empty
    file); nothing was stored."""

    code = "billing.invalid_feed"
    title = "Billing feed cannot be read"
