from backend.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


class RequestNotFound(NotFound):
    """No such officer request, or not one the caller may see."""

    code = "request.not_found"
    title = "Request not found"


class RequestAlreadyDecided(Conflict):
    """The request was already approved or rejected; a request is decided once."""

    code = "request.already_decided"
    title = "Request already decided"


class DuplicatePending(Conflict):
    """A request of this type is already pending on the case."""

    code = "request.duplicate_pending"
    title = "Same request already pending"


class NotApprover(Forbidden):
    """The caller may not decide this type of request (see the requests service)."""

    code = "request.not_approver"
    title = "Not allowed to decide this request"


class RequestInconsistent(ValidationFailed):
    """A field was sent that this type of request or decision does not take."""

    code = "request.inconsistent"
    title = "Field not accepted for this request type"


class DetailsRequired(ValidationFailed):
    """A request of type `other` needs its text in `details`."""

    code = "request.details_required"
    title = "Details required"


class ExtensionDateRequired(ValidationFailed):
    """A validity extension needs the requested new date in `requested_until`."""

    code = "request.extension_date_required"
    title = "Requested date required"


class ExtensionNotLater(ValidationFailed):
    """The requested date is not later than the case's current validity end."""

    code = "request.extension_not_later"
    title = "Requested date not later than the current validity"


class ExtensionTooFar(ValidationFailed):
    """The requested date lies beyond the longest extension allowed (`max_days`)."""

    code = "request.extension_too_far"
    title = "Requested extension too long"


class ExtensionStale(Conflict):
    """The case's validity already reaches the requested date; nothing to approve."""

    code = "request.extension_stale"
    title = "Extension overtaken"


class NoteRequired(ValidationFailed):
    """Rejecting a request needs a note the officer can act on."""

    code = "request.note_required"
    title = "Note required"


class LetterReferenceRequired(ValidationFailed):
    """Approving a mediation board letter records the issued letter's reference."""

    code = "request.letter_reference_required"
    title = "Letter reference required"
