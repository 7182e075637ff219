from backend.core.errors import Conflict, NotFound, UnsupportedMediaType, ValidationFailed


class IncidentInvalid(ValidationFailed):
    """The incident breaks an intake rule; `errors` lists each field and reason."""

    code = "intake.invalid_incident"
    title = "Incident failed validation"


class IncidentExists(Conflict):
    """An incident with this external reference was already registered from this source."""

    code = "intake.incident_exists"
    title = "Incident already registered"


class InvalidFile(ValidationFailed):
    """The upload cannot be read as an intake file (header, encoding, empty, no file part)."""

    code = "intake.invalid_file"
    title = "Intake file cannot be read"


class UnsupportedFormat(UnsupportedMediaType):
    """The upload is neither CSV nor JSON Lines."""

    code = "intake.unsupported_format"
    title = "Send CSV or JSON Lines"


class BatchNotFound(NotFound):
    """No such intake batch."""

    code = "intake.batch_not_found"
    title = "Batch not found"
