from backend.core.errors import NotFound


class DevAccountNotFound(NotFound):
    """Development sign-in: no active account with that email."""

    code = "auth.dev_account_not_found"
    title = "No such development account"
