from backend.core.errors import Conflict, ValidationFailed


class UnknownSerial(ValidationFailed):
    """The serial is not equipment of this case and its account."""

    code = "cpe.unknown_serial"
    title = "Serial not on this case"


class CpeRegression(Conflict):
    """The item already reached a further state; a recording may not move it back."""

    code = "cpe.regression"
    title = "Item status would go backwards"


class CpeNotRequired(Conflict):
    """The case does not ask for equipment to be recovered."""

    code = "cpe.not_required"
    title = "No equipment to recover on this case"


class CpePartDone(Conflict):
    """The equipment part of the case is already approved; nothing more can be recorded."""

    code = "cpe.part_done"
    title = "Equipment already approved"


class CpeNotAwaitingApproval(Conflict):
    """Only equipment awaiting approval (every item resolved, some returned) can be decided."""

    code = "cpe.not_awaiting_approval"
    title = "Equipment is not awaiting approval"


class CpeReasonRequired(ValidationFailed):
    """Rejecting returned equipment needs a reason the officer can act on."""

    code = "cpe.reason_required"
    title = "Reason required"


class CpeChanged(Conflict):
    """The equipment record changed since it was read; reload and try again."""

    code = "cpe.changed"
    title = "Equipment record changed concurrently"
