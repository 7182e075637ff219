from backend.core.errors import NotFound


class ReportNotFound(NotFound):
    """No reconciliation report was made for this day yet (the schedule makes yesterday's
    at 04:00 UTC; operator staff may run one now)."""

    code = "reconciliation.report_not_found"
    title = "No reconciliation report for this day"


class VerificationNotFound(NotFound):
    """No balance verification was made for this month yet."""

    code = "reconciliation.verification_not_found"
    title = "No balance verification for this month"
