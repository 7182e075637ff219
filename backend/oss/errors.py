from backend.core.errors import Conflict, DomainError, NotFound


class CallbackRefused(DomainError):
    """OSS's callback lacks its timestamp or signature, or is not signed with the callback
    secret over exactly this body; nothing was changed."""

    code = "oss.callback_refused"
    status = 401
    title = "Callback signature or timestamp not accepted"


class CallbackReplayed(Conflict):
    """This callback (its nonce, or its event's acknowledgement) was already received, or
    its timestamp is outside the accepted window; nothing was changed."""

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


class StateChanged(Conflict):
    """The account's service state or cure record changed concurrently; retry."""

    code = "oss.state_changed"
    title = "Service state changed concurrently"


class EventNotFailed(Conflict):
    """Only a failed event is sent again by hand; this one is pending, delivered or done."""

    code = "oss.event_not_failed"
    title = "Event has not failed"
