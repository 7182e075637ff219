from backend.core.errors import Conflict, NotFound, ValidationFailed


class DrcNotFound(NotFound):
    """No such DRC, or not one the caller may see."""

    code = "drc.not_found"
    title = "DRC not found"


class DrcExists(Conflict):
    """A DRC with this code already exists."""

    code = "drc.exists"
    title = "DRC already exists"


class DrcUnavailable(ValidationFailed):
    """The DRC named does not exist or is inactive."""

    code = "drc.unavailable"
    title = "DRC unknown or inactive"
