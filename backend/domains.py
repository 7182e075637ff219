"""What every domain hands to the shared machinery: the Beanie models it stores, the
sync mutations officers may queue offline, the sections of the phone's case document
it builds, and the entities a pull returns."""

from backend.allocation.models import MODELS as ALLOCATION
from backend.audit.models import AuditRecord
from backend.banking.models import MODELS as BANKING
from backend.billing.models import MODELS as BILLING
from backend.cards.models import MODELS as CARDS
from backend.cases import projections as case_projections
from backend.cases.models import MODELS as CASES
from backend.cases.mutations import CaseMutation
from backend.commission.models import MODELS as COMMISSION
from backend.cpe import mutations as cpe_mutations
from backend.cpe import projections as cpe_projections
from backend.cpe.models import MODELS as CPE
from backend.cpe.models import CpeCollection
from backend.customers import mutations as customer_mutations
from backend.customers import projections as customer_projections
from backend.customers.models import MODELS as CUSTOMERS
from backend.disputes import mutations as dispute_mutations
from backend.disputes.models import MODELS as DISPUTES
from backend.drcs.models import Drc
from backend.dunning.models import MODELS as DUNNING
from backend.intake.models import MODELS as INTAKE
from backend.mediation import mutations as mediation_mutations
from backend.mediation import projections as mediation_projections
from backend.mediation.models import MODELS as MEDIATION
from backend.mediation.models import MediationFile
from backend.mpesa import mutations as mpesa_mutations
from backend.mpesa import projections as mpesa_projections
from backend.mpesa.models import MODELS as MPESA
from backend.negotiations import mutations as negotiation_mutations
from backend.negotiations import projections as negotiation_projections
from backend.negotiations.models import MODELS as NEGOTIATIONS
from backend.negotiations.models import Negotiation, Promise
from backend.notifications.models import MODELS as NOTIFICATIONS
from backend.oss.models import MODELS as OSS
from backend.payments import mutations as payment_mutations
from backend.payments.models import MODELS as PAYMENTS
from backend.receipts.models import MODELS as RECEIPTS
from backend.reconciliation.models import MODELS as RECONCILIATION
from backend.reports.models import MODELS as REPORTS
from backend.requests import mutations as request_mutations
from backend.requests import projections as request_projections
from backend.requests.models import MODELS as REQUESTS
from backend.requests.models import OfficerRequest
from backend.responses.models import MODELS as RESPONSES
from backend.retention.models import MODELS as RETENTION
from backend.segments.models import MODELS as SEGMENTS
from backend.settlements import mutations as settlement_mutations
from backend.settlements import projections as settlement_projections
from backend.settlements.models import MODELS as SETTLEMENTS
from backend.settlements.models import Settlement
from backend.users.models import User
from backend.worklist.models import MODELS as WORKLIST
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
    *RECEIPTS,
    *BANKING,
    *RECONCILIATION,
    *CPE,
    *MEDIATION,
    *REQUESTS,
    *COMMISSION,
    *NOTIFICATIONS,
    *RESPONSES,
    *WORKLIST,
    *OSS,
    *BILLING,
    *SEGMENTS,
    *REPORTS,
    *DUNNING,
    *DISPUTES,
    *CARDS,
    *RETENTION,
    *MPESA,
    *SYNC,
)

# In the order they are registered; their conflict policies: backend/cases/mutations.py.
MUTATIONS: tuple[CaseMutation, ...] = (
    negotiation_mutations.RECORD,
    settlement_mutations.PROPOSE,
    payment_mutations.RECORD,
    mediation_mutations.RECORD_HEARING,
    mediation_mutations.SUBMIT,
    request_mutations.CREATE,
    cpe_mutations.RECORD_ITEM,
    mediation_mutations.ESCALATE,
    customer_mutations.UPDATE_CONTACT,
    dispute_mutations.RAISE,
    mpesa_mutations.STK_PUSH,
)

# The case document's sections beside the case's own fields, in the document's order.
CASE_SECTIONS = (
    customer_projections.CUSTOMER,
    customer_projections.PRODUCTS,
    cpe_projections.CPE_ITEMS,
    negotiation_projections.NEGOTIATIONS,
    negotiation_projections.PROMISES,
    settlement_projections.SETTLEMENT,
    mediation_projections.MEDIATION,
    request_projections.REQUESTS,
    mpesa_projections.STK_PUSHES,
)

ENTITIES = (case_projections.CASE_ENTITY,)

# The records kept beside a case that go with it to the archive, each with the field
# naming its case. Payments and commission entries stay (the ledger and the DRCs'
# statements read them), as do the audit trail, incidents (intake's duplicate check),
# the staff feed and the delivery log (pruned by age on its own).
CASE_RECORDS = (
    (Negotiation, "case_id"),
    (Promise, "case_id"),
    (Settlement, "case_id"),
    (CpeCollection, "_id"),
    (MediationFile, "_id"),
    (OfficerRequest, "case_id"),
)
