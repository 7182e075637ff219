"""DebtX's Cloud Functions for Firebase. Deploy with `firebase deploy --only functions`.

Only the trigger is wired here; the work is in forward.py.
"""

from __future__ import annotations

import logging

from firebase_functions import firestore_fn
from firebase_functions.params import SecretParam, StringParam
from forward import ForwardFailed, forward

BACKEND_URL = StringParam("DEBTX_BACKEND_URL", description="Base URL of the DebtX API")
INTERNAL_TOKEN = SecretParam("DEBTX_INTERNAL_TOKEN")

log = logging.getLogger("debtx.functions")


@firestore_fn.on_document_created(
    document="outbox/{uid}/mutations/{docId}",
    secrets=[INTERNAL_TOKEN],
    timeout_sec=120,
)
def outbox_created(event: firestore_fn.Event[firestore_fn.DocumentSnapshot | None]) -> None:
    """A new outbox document: ask the API to apply it and write the result onto it."""
    uid, doc_id = event.params["uid"], event.params["docId"]
    try:
        forward(uid, doc_id, backend_url=BACKEND_URL.value, token=INTERNAL_TOKEN.value)
    except ForwardFailed as exc:
        # The document stays pending and the backend's poller applies it: Firestore
        # triggers of this SDK are not redelivered, so the poller is the safety net.
        log.error("outbox.forward.failed %s/%s: %s", uid, doc_id, exc)
        if exc.transient:
            raise  # reported as a failed execution
