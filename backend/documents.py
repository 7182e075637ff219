"""Every Beanie document DebtX stores, bound at start-up."""

from backend.allocation.models import DOCUMENTS as ALLOCATION
from backend.audit.models import AuditRecord
from backend.cases.models import DOCUMENTS as CASES
from backend.commission.models import DOCUMENTS as COMMISSION
from backend.cpe.models import DOCUMENTS as CPE
from backend.customers.models import DOCUMENTS as CUSTOMERS
from backend.drcs.models import Drc
from backend.intake.models import DOCUMENTS as INTAKE
from backend.mediation.models import DOCUMENTS as MEDIATION
from backend.negotiations.models import DOCUMENTS as NEGOTIATIONS
from backend.notifications.models import DOCUMENTS as NOTIFICATIONS
from backend.payments.models import DOCUMENTS as PAYMENTS
from backend.requests.models import DOCUMENTS as REQUESTS
from backend.settlements.models import DOCUMENTS as SETTLEMENTS
from backend.users.models import User
from sync.mirror import DOCUMENTS as MIRROR
from sync.models import DOCUMENTS as SYNC

DOCUMENTS = (
    AuditRecord,
    Drc,
    User,
    *CUSTOMERS,
    *CASES,
    *INTAKE,
    *ALLOCATION,
    *NEGOTIATIONS,
    *SETTLEMENTS,
    *PAYMENTS,
    *CPE,
    *MEDIATION,
    *REQUESTS,
    *COMMISSION,
    *NOTIFICATIONS,
    *SYNC,
    *MIRROR,
)
