from backend.core.errors import DomainError


class SignatureRefused(DomainError):
    """The webhook lacks a valid `X-Card-Signature` for its body; nothing was done."""

    code = "cards.signature_invalid"
    status = 401
    title = "Card webhook signature refused"


class TimestampStale(DomainError):
    """The webhook was signed outside the accepted window (a replay of an old one);
    nothing was done."""

    code = "cards.timestamp_stale"
    status = 400
    title = "Card webhook too old or from the future"


class EventMalformed(DomainError):
    """The webhook's body is not a card event DebtX can read (a missing field, an amount
    that is not a positive whole number of minor units); nothing was done."""

    code = "cards.event_malformed"
    status = 400
    title = "Card webhook body not understood"


class ProviderUnavailable(DomainError):
    """The card provider could not be asked about the charge; try again later."""

    code = "cards.provider_unavailable"
    status = 502
    title = "Card provider unavailable"
    retryable = True


class ChargeNotFound(DomainError):
    """The card provider knows no such charge."""

    code = "cards.charge_not_found"
    status = 404
    title = "Card charge not found"
