from __future__ import annotations

from backend.core.errors import NotFound, ValidationFailed


class ReportNotFound(NotFound):
    """No such report, or not one the caller may read."""

    code = "report.not_found"
    title = "No such report"


class ReportFiltersInvalid(ValidationFailed):
    """The filters cannot be applied; `errors` names the field."""

    code = "report.filters_invalid"
    title = "Report filters invalid"


class SubscriptionInvalid(ValidationFailed):
    """A subscription cannot be kept; `errors` names the field."""

    code = "report.subscription_invalid"
    title = "Report subscription invalid"


class SubscriptionNotFound(NotFound):
    code = "report.subscription_not_found"
    title = "No such report subscription"
