from backend.core.errors import Conflict, Forbidden, NotFound


class CaseNotFound(NotFound):
    """No such case, or not one the caller may see."""

    code = "case.not_found"
    title = "Case not found"


class IllegalTransition(Conflict):
    """The case's phase does not allow this move."""

    code = "case.illegal_transition"
    title = "Not allowed in the case's current phase"


class CaseChanged(Conflict):
    """The case changed since it was read; reload and try again."""

    code = "case.changed"
    title = "Case changed concurrently"
    retryable = True


class CaseAlreadyOpen(Conflict):
    """An open case already covers this account, product and action."""

    code = "case.already_open"
    title = "Case already open"


class CaseClosed(Conflict):
    """The case is closed; nothing more can be recorded on it."""

    code = "case.closed"
    title = "Case is closed"


class NotCaseHolder(Forbidden):
    """Only the recovery officer holding the case may do this."""

    code = "case.not_holder"
    title = "Not the officer holding this case"
