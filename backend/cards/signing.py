"""The card provider's webhook signature, in the style of Stripe's: the header
`X-Card-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` (several `v1`
entries while the provider rolls its secret)."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "x-card-signature"


def mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp`."""
    return f"t={timestamp},v1={mac(secret, timestamp, body)}"


def parse(header: str | None) -> tuple[int, list[str]] | None:
    """(timestamp, v1 signatures) from the header; None when it cannot be read."""
    if not header:
        return None
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    return (timestamp, signatures) if timestamp is not None and signatures else None


def valid(secret: str, timestamp: int, body: bytes, signatures: list[str]) -> bool:
    """Whether one of `signatures` is the provider's for this body, in constant time."""
    expected = mac(secret, timestamp, body)
    return any(hmac.compare_digest(expected, s) for s in signatures)
