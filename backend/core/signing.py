"""HMAC-SHA256 signatures over `timestamp.body`, the scheme DebtX's webhooks and the
pushes and callbacks signed for it share (each sender with its own secret)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, SecretStr, ValidationError

from backend.core.errors import DomainError, ValidationFailed, field_errors

SCHEME = "sha256="
M = TypeVar("M", bound=BaseModel)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def valid(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is ours for this timestamp and body, compared in constant time."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class Refusal(StrEnum):
    """Why a signed request is refused, said of what it is ("the push")."""

    UNSIGNED = "{} lacks its timestamp or signature"
    FORGED = "{}'s signature does not match its content"
    STALE = "{}'s timestamp is outside the accepted window"

    def about(self, subject: str) -> str:
        return self.value.format(subject)


def refusal(
    secret: str, *, timestamp: str | None, signature: str | None, body: bytes, window_seconds: int
) -> Refusal | None:
    """Why this signed request is refused; None when its signature and timestamp hold."""
    if not timestamp or not signature or not timestamp.isdigit():
        return Refusal.UNSIGNED
    if not valid(secret, timestamp, body, signature):
        return Refusal.FORGED
    if abs(time.time() - int(timestamp)) > window_seconds:
        return Refusal.STALE
    return None


def parse_body(model: type[M], body: bytes, subject: str, **json_options: Any) -> M:
    """The signed body as `model`; a body that is not JSON or not its shape is a 422."""
    try:
        return model.model_validate(json.loads(body, **json_options))
    except ValueError as exc:
        errors = field_errors(exc.errors()) if isinstance(exc, ValidationError) else []
        raise ValidationFailed(f"{subject}'s body is not valid", errors=errors) from exc


@dataclass(frozen=True)
class Check(Generic[M]):
    """How one kind of signed request is checked: its body's model, what it is called in
    a refusal ("the push"), and the errors a refusal raises (`stale`, when given, for a
    timestamp outside the window; else `refused` for every refusal)."""

    model: type[M]
    subject: str
    refused: type[DomainError]
    stale: type[DomainError] | None = None
    json_options: dict[str, Any] = field(default_factory=dict)

    def verified(
        self,
        body: bytes,
        timestamp: str | None,
        signature: str | None,
        secret: SecretStr,
        window_seconds: int,
    ) -> M:
        """The body as the model, once its signature and timestamp hold."""
        problem = refusal(
            secret.get_secret_value(),
            timestamp=timestamp,
            signature=signature,
            body=body,
            window_seconds=window_seconds,
        )
        if problem is not None:
            error = self.stale if self.stale and problem is Refusal.STALE else self.refused
            raise error(problem.about(self.subject))
        return parse_body(self.model, body, self.subject, **self.json_options)
