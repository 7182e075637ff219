"""Customers' personal data at rest: sealed field by field, found by keyed hashes.

A sealed value is `pii1:<key id>:<base64url(nonce | AES-256-GCM ciphertext)>`, the key
id bound in as associated data. Every key of the ring stays readable; new writes use the
current one, and `reseal_collection` moves older values (and plaintext from before
sealing) to it. Searchable values are also stored as HMAC-SHA256 under a separate key,
so a lookup by phone or national id never needs the plaintext.

Services hold plaintext: a `Pii` field decrypts when a document is validated, and the
encoder that writes it (Beanie's, through each model's `bson_encoders`, or `encode`
here for the repositories' raw writes) seals it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, get_args

from beanie import Document
from beanie.odm.utils.encoder import Encoder
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import AfterValidator, BaseModel, BeforeValidator, PlainSerializer

from backend.core.settings import PiiSettings, get_settings

PREFIX = "pii1:"
_NONCE_BYTES = 12


class PiiKeyUnknown(RuntimeError):
    """A value is sealed under a key id the configured ring does not hold."""


class PiiText(str):
    """Personal data in memory, in plain text; the encoders seal it when it is written."""

    __slots__ = ()


class KeyRing:
    """The sealing keys by id, the current one, and the key of the search hashes."""

    def __init__(self, settings: PiiSettings) -> None:
        self.current = settings.current_key_id
        self._ciphers = {kid: AESGCM(_derive(kid, key)) for kid, key in _secrets(settings)}
        self._index_key = settings.index_key.get_secret_value().encode()

    def seal(self, text: str) -> str:
        """`text` sealed under the current key; a sealed value is left as it is."""
        if is_sealed(text):
            return str(text)
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[self.current].encrypt(nonce, text.encode(), _aad(self.current))
        return f"{PREFIX}{self.current}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def reveal(self, value: str) -> str:
        """The plain text of a sealed value; plain text (stored before sealing) as it is."""
        if not is_sealed(value):
            return value
        kid, _, body = value[len(PREFIX) :].partition(":")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise PiiKeyUnknown(f"No PII key {kid!r} in DEBTX_PII__KEYS")
        raw = base64.urlsafe_b64decode(body)
        try:
            plain = cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(kid))
        except InvalidTag as exc:
            raise PiiKeyUnknown(f"A value sealed under {kid!r} does not open") from exc
        return plain.decode()

    def is_current(self, value: Any) -> bool:
        """Whether a stored value is sealed under the current key."""
        return isinstance(value, str) and value.startswith(f"{PREFIX}{self.current}:")

    def index(self, kind: str, value: str) -> str:
        """The search hash of a value of a kind (phone, email, nic)."""
        digest = hmac.new(self._index_key, f"{kind}|{value}".encode(), hashlib.sha256)
        return f"{kind}:{digest.hexdigest()[:40]}"


def _secrets(settings: PiiSettings) -> Iterable[tuple[str, str]]:
    return ((kid, key.get_secret_value()) for kid, key in settings.keys.items())


def _derive(kid: str, secret: str) -> bytes:
    """A 256-bit key from the configured secret, distinct per key id."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_aad(kid))
    return hkdf.derive(secret.encode())


def _aad(kid: str) -> bytes:
    return f"debtx-pii1:{kid}".encode()


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and not isinstance(value, PiiText) and value.startswith(PREFIX)


_ring: KeyRing | None = None


def install(settings: PiiSettings) -> KeyRing:
    """Use this ring in the process from now on (the process's resources call it)."""
    global _ring
    _ring = KeyRing(settings)
    return _ring


def ring() -> KeyRing:
    """The process's ring, else one from the environment's settings."""
    return _ring or install(get_settings().pii)


def seal(value: str) -> str:
    return ring().seal(value)


def reveal(value: Any) -> Any:
    return ring().reveal(value) if isinstance(value, str) else value


def index(kind: str, value: str) -> str:
    return ring().index(kind, value)


def mask(value: str) -> str:
    """What a record meant for people (the audit trail) shows of a value: its last four
    characters at most, none of a short one."""
    return "•" * 4 + (value[-4:] if len(value) > 8 else "")


class _Mark:
    """Tells a personal field apart from others (see `mark`)."""


_MARK = _Mark()

Pii = Annotated[
    str,
    BeforeValidator(reveal),
    AfterValidator(PiiText),
    PlainSerializer(str, return_type=str),
    _MARK,
]
"""A personal value: plain in memory and in every API shape, sealed where it is stored."""


class PiiBody(dict[str, Any]):
    """A body a provider sent, personal values among its fields; sealed whole as JSON."""


def _open_body(value: Any) -> Any:
    return json.loads(reveal(value)) if isinstance(value, str) else value


def _seal_body(body: PiiBody) -> str:
    return seal(json.dumps(body, default=str, separators=(",", ":")))


PiiDocument = Annotated[
    dict[str, Any],
    BeforeValidator(_open_body),
    AfterValidator(PiiBody),
    PlainSerializer(dict, return_type=dict),
    _MARK,
]
"""A provider's body as received (a payer's phone and name in it): plain in memory,
sealed whole where it is stored."""

SEALING: dict[type, Callable[[Any], Any]] = {PiiText: seal, PiiBody: _seal_body}
"""`bson_encoders` for a document with `Pii` or `PiiDocument` fields."""


def encode(value: Any) -> Any:
    """`value` (a document, model, list or dict) as stored, its personal values sealed."""
    return Encoder(custom_encoders=SEALING, to_db=True).encode(mark(value))


def mark(value: Any) -> Any:
    """`value` with every personal field's text a `PiiText`, however it was set (a plain
    assignment skips validation), so the encoders know to seal it; returns `value`."""
    if isinstance(value, list):
        for item in value:
            mark(item)
    elif isinstance(value, BaseModel):
        personal = _personal_fields(type(value))
        for name in type(value).model_fields:
            field = getattr(value, name)
            if name in personal and isinstance(field, str) and not isinstance(field, PiiText):
                object.__setattr__(value, name, PiiText(field))
            elif name in personal and isinstance(field, dict) and not isinstance(field, PiiBody):
                object.__setattr__(value, name, PiiBody(field))
            elif isinstance(field, BaseModel | list):
                mark(field)
    return value


@cache
def _personal_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name
        for name, field in model.model_fields.items()
        if _MARK in field.metadata
        or any(_MARK in getattr(a, "__metadata__", ()) for a in get_args(field.annotation))
    )


@dataclass
class Resealed:
    """What one pass over a collection did."""

    collection: str
    read: int = 0
    resealed: int = 0


async def reseal_collection(
    model: type[Document],
    *,
    prepare: Callable[[Any], None] | None = None,
    batch: int = 500,
) -> Resealed:
    """Rewrite every document of `model` whose personal values are plain or sealed under
    an older key; each rewrite is guarded by the fields it read, so a concurrent change
    (which sealed under the current key itself) is left alone. Running it again does
    nothing."""
    collection = model.get_pymongo_collection()
    done = Resealed(collection.name)
    keys = ring()
    async for raw in collection.find({}).batch_size(batch):
        done.read += 1
        document = model.model_validate(raw)
        if prepare is not None:
            prepare(document)
        stored = encode(document)
        stale = [f for f, v in stored.items() if f != "_id" and _stale(raw.get(f), v, keys)]
        if not stale:
            continue
        guard = {"_id": raw["_id"], **{f: raw.get(f) for f in stale}}
        result = await collection.update_one(guard, {"$set": {f: stored[f] for f in stale}})
        done.resealed += result.modified_count
    return done


def _stale(raw: Any, stored: Any, keys: KeyRing) -> bool:
    """Whether `raw` differs from `stored` anywhere but in sealed values under the current
    key (a sealed value's nonce differs on every encoding)."""
    if is_sealed(stored):
        return not keys.is_current(raw)
    if isinstance(stored, dict):
        if not isinstance(raw, dict) or raw.keys() != stored.keys():
            return True
        return any(_stale(raw[k], v, keys) for k, v in stored.items())
    if isinstance(stored, list):
        if not isinstance(raw, list) or len(raw) != len(stored):
            return True
        return any(_stale(r, s, keys) for r, s in zip(raw, stored, strict=True))
    return isinstance(stored, str) and raw != stored
