from backend.core.errors import Conflict, NotFound, ValidationFailed


class UserNotFound(NotFound):
    """No such user, or not one the caller may see."""

    code = "user.not_found"
    title = "User not found"


class UserExists(Conflict):
    """A user with this uid or email already exists."""

    code = "user.exists"
    title = "User already exists"


class DrcMismatch(ValidationFailed):
    """DRC staff need a drc_id; operator staff must not have one."""

    code = "user.drc_mismatch"
    title = "Role and DRC do not agree"


class RoleChangeInvalid(ValidationFailed):
    """The role change would move a user between operator staff and a DRC."""

    code = "user.role_change_invalid"
    title = "Role change not allowed"
