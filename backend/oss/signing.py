"""The headers of the signatures both ways: our webhooks to OSS and OSS's callbacks to us
(each way with its own secret; the scheme is backend/core/signing.py)."""

from __future__ import annotations

from backend.core.signing import SCHEME, sign, valid

TIMESTAMP = "x-debtx-timestamp"
SIGNATURE = "x-debtx-signature"
IDEMPOTENCY_KEY = "idempotency-key"
CALLBACK_TIMESTAMP = "x-oss-timestamp"
CALLBACK_SIGNATURE = "x-oss-signature"

__all__ = [
    "CALLBACK_SIGNATURE",
    "CALLBACK_TIMESTAMP",
    "IDEMPOTENCY_KEY",
    "SCHEME",
    "SIGNATURE",
    "TIMESTAMP",
    "sign",
    "valid",
]
