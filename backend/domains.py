"""What every domain hands to the shared machinery: the Beanie models it stores, the
sections of the case document it builds, and the entities a pull returns."""

from backend.allocation.models import MODELS as ALLOCATION
from backend.audit.models import AuditRecord
from backend.cases import projections as cases
from backend.cases.models import MODELS as CASES
from backend.commission.models import MODELS as COMMISSION
from backend.cpe import projections as cpe
from backend.cpe.models import MODELS as CPE
from backend.customers import projections as customers
from backend.customers.models import MODELS as CUSTOMERS
from backend.drcs.models import Drc
from backend.intake.models import MODELS as INTAKE
from backend.mediation import projections as mediation
from backend.mediation.models import MODELS as MEDIATION
from backend.negotiations import projections as negotiations
from backend.negotiations.models import MODELS as NEGOTIATIONS
from backend.notifications.models import MODELS as NOTIFICATIONS
from backend.payments.models import MODELS as PAYMENTS
from backend.requests import projections as requests
from backend.requests.models import MODELS as REQUESTS
from backend.settlements import projections as settlements
from backend.settlements.models import MODELS as SETTLEMENTS
from backend.users.models import User
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
)

# The case document's sections beside the case's own fields, in the document's order.
CASE_SECTIONS = (
    customers.CUSTOMER,
    customers.PRODUCTS,
    cpe.CPE_ITEMS,
    negotiations.NEGOTIATIONS,
    negotiations.PROMISES,
    settlements.SETTLEMENT,
    mediation.MEDIATION,
    requests.REQUESTS,
)

ENTITIES = (cases.CASE_ENTITY,)
