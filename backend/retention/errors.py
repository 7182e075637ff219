from backend.core.errors import NotFound


class ArchivedCaseNotFound(NotFound):
    """No archived case has this id."""

    code = "retention.archived_case_not_found"
    title = "Archived case not found"
