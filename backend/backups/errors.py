"""What stops a backup or a restore. Only the `debtx` command and the beat task meet
these (no API route serves backups), so they are not DomainErrors and stay out of the
clients' error catalogue; each has a stable code all the same."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore that cannot go on; `detail` says why."""

    code = "backup.failed"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BackupRefused(BackupError):
    """The archive is corrupt, partial or not a DebtX backup; nothing was restored and
    the database is as it was."""

    code = "backup.refused"


class BackupNotFound(BackupError):
    """No backup archive at this path."""

    code = "backup.not_found"


class BackupToolFailed(BackupError):
    """mongodump or mongorestore exited with an error; its last lines say why."""

    code = "backup.tool_failed"
