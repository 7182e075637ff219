from backend.core.errors import Conflict, NotFound


class WorkItemNotFound(NotFound):
    """No such worklist item."""

    code = "worklist.not_found"
    title = "Worklist item not found"


class WorkItemClosed(Conflict):
    """The item is done already; nothing more can be done with it."""

    code = "worklist.closed"
    title = "Worklist item is closed"


class WorkItemClaimed(Conflict):
    """Someone else has claimed the item; they work it or close it."""

    code = "worklist.claimed"
    title = "Worklist item claimed by someone else"


class WorkItemChanged(Conflict):
    """The item changed while this request was handled; reload and retry."""

    code = "worklist.changed"
    title = "Worklist item changed concurrently"
    retryable = True
