"""HMAC-SHA256 signatures over `timestamp.body`, both ways: our webhooks to OSS and
OSS's callbacks to us (each way with its own secret)."""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP = "x-debtx-timestamp"
SIGNATURE = "x-debtx-signature"
IDEMPOTENCY_KEY = "idempotency-key"
CALLBACK_TIMESTAMP = "x-oss-timestamp"
CALLBACK_SIGNATURE = "x-oss-signature"
SCHEME = "sha256="


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def valid(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is ours for this timestamp and body, compared in constant time."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
