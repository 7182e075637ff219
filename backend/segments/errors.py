from __future__ import annotations

from backend.core.errors import NotFound, ValidationFailed


class SegmentInvalid(ValidationFailed):
    """A segment's rule cannot be used; `errors` names the field."""

    code = "segment.invalid"
    title = "Segment rule invalid"


class SegmentNotFound(NotFound):
    code = "segment.not_found"
    title = "No such segment"


class SegmentOrderInvalid(ValidationFailed):
    """A new order must list every segment exactly once."""

    code = "segment.order_invalid"
    title = "Segment order invalid"
