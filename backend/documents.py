"""Every Beanie document DebtX stores, bound at start-up."""

from backend.audit.models import AuditRecord
from backend.drcs.models import Drc
from backend.users.models import User

DOCUMENTS = (AuditRecord, Drc, User)
