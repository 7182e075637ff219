"""What every domain hands to the shared machinery: the Beanie models it stores and the
sync mutations officers may queue offline."""

from backend.allocation.models import MODELS as ALLOCATION
from backend.audit.models import AuditRecord
from backend.cases.models import MODELS as CASES
from backend.cases.mutations import CaseMutation
from backend.commission.models import MODELS as COMMISSION
from backend.cpe import mutations as cpe
from backend.cpe.models import MODELS as CPE
from backend.customers import mutations as customers
from backend.customers.models import MODELS as CUSTOMERS
from backend.drcs.models import Drc
from backend.intake.models import MODELS as INTAKE
from backend.mediation import mutations as mediation
from backend.mediation.models import MODELS as MEDIATION
from backend.negotiations import mutations as negotiations
from backend.negotiations.models import MODELS as NEGOTIATIONS
from backend.notifications.models import MODELS as NOTIFICATIONS
from backend.payments import mutations as payments
from backend.payments.models import MODELS as PAYMENTS
from backend.requests import mutations as requests
from backend.requests.models import MODELS as REQUESTS
from backend.settlements import mutations as settlements
from backend.settlements.models import MODELS as SETTLEMENTS
from backend.users.models import User
from sync.mirror import MODELS as MIRROR
from sync.models import MODELS as SYNC

MODELS = (
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

# In the order they are registered; their conflict policies: backend/cases/mutations.py.
MUTATIONS: tuple[CaseMutation, ...] = (
    negotiations.RECORD,
    settlements.PROPOSE,
    payments.RECORD,
    mediation.RECORD_HEARING,
    mediation.SUBMIT,
    requests.CREATE,
    cpe.RECORD_ITEM,
    mediation.ESCALATE,
    customers.UPDATE_CONTACT,
)
