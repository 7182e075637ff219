"""The sections of a case's read model (the officer's case document in Firestore).

A change to a case names the sections it touched in the change log, so the mirror
rebuilds only those: a recorded contact rebuilds the negotiation history and promises,
not the customer, equipment, settlement, board file and requests beside them. The case's
own fields (phase, statuses, amounts, holder, version) are rebuilt with every change.
"""

from __future__ import annotations

from enum import StrEnum


class Section(StrEnum):
    CASE = "case"  # the case record's own fields
    CUSTOMER = "customer"
    PRODUCTS = "products"
    CPE_ITEMS = "cpe_items"
    NEGOTIATIONS = "negotiations"
    PROMISES = "promises"
    SETTLEMENT = "settlement"
    MEDIATION = "mediation"
    REQUESTS = "requests"
