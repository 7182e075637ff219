from backend.core.errors import DomainError, NotFound


class BackupRefused(DomainError):
    """The backup archive is corrupt, partial or not a DebtX backup; nothing was restored
    and the database is as it was."""

    code = "backup.refused"
    status = 422
    title = "Backup archive refused"


class BackupNotFound(NotFound):
    """No backup archive at this path."""

    code = "backup.not_found"
    title = "Backup not found"


class BackupToolFailed(DomainError):
    """mongodump or mongorestore exited with an error; its message says why."""

    code = "backup.tool_failed"
    status = 500
    title = "Backup tool failed"
