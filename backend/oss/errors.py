from backend.core.errors import Conflict, DomainError, NotFound


class CallbackRefused(DomainError):
    """OSS's callback is not signed with the callback secret, or its timestamp is missing
    or outside the accepted window; nothing was changed."""

    code = "oss.callback_refused"
    status = 401
    title = "Callback signature or timestamp not accepted"


class CallbackReplayed(Conflict):
    """This callback (its nonce, or its event's acknowledgement) was already received;
    nothing was changed."""

    code = "oss.callback_replayed"
    title = "Callback already received"


class EventNotFound(NotFound):
    """No event to OSS has this idempotency key."""

    code = "oss.event_not_found"
    title = "OSS event not found"


class NotSuspended(Conflict):
    """The account's service is not suspended (nor being suspended): nothing to reinstate."""

    code = "oss.not_suspended"
    title = "Service not suspended"


class CureNotFound(NotFound):
    """The account has no cure record."""

    code = "oss.cure_not_found"
    title = "No cure record for this account"


class AccountNotFound(NotFound):
    """No account with this id."""

    code = "oss.account_not_found"
    title = "Account not found"
