"""Firebase ID token verification, with every check Firebase itself makes.

Certificates come from a URL (Google's in production, a local endpoint in
development and tests) and are cached for as long as their Cache-Control allows.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.x509 import load_pem_x509_certificate

from backend.core.errors import InvalidToken, ServiceUnavailable
from backend.core.logging import get_logger

log = get_logger("debtx.auth")

_MAX_AGE = re.compile(r"max-age=(\d+)")
_UNKNOWN_KID_REFRESH_SECONDS = 30.0


class TokenExpired(InvalidToken):
    """The ID token has expired; the app should refresh it and retry."""

    code = "auth.token_expired"
    title = "ID token expired"


@dataclass(frozen=True)
class VerifiedToken:
    uid: str
    claims: dict[str, Any]

    @property
    def email(self) -> str | None:
        return self.claims.get("email")


class CertificateStore:
    """Public keys by `kid`, fetched from the certificate URL and cached."""

    def __init__(self, http: httpx.AsyncClient, url: str, *, fallback_ttl: int = 300) -> None:
        self._http = http
        self._url = url
        self._fallback_ttl = fallback_ttl
        self._keys: dict[str, RSAPublicKey] = {}
        self._expires_at = 0.0
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> RSAPublicKey | None:
        now = time.monotonic()
        if now >= self._expires_at or (
            kid not in self._keys and now - self._fetched_at > _UNKNOWN_KID_REFRESH_SECONDS
        ):
            await self._refresh(force_before=now)
        return self._keys.get(kid)

    async def _refresh(self, *, force_before: float) -> None:
        async with self._lock:
            if self._fetched_at > force_before:
                return  # another request refreshed while we waited
            try:
                response = await self._http.get(self._url)
                response.raise_for_status()
                certs = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("auth.certs.fetch_failed", url=self._url, error=str(exc))
                if not self._keys:
                    raise ServiceUnavailable("Token certificates are unavailable") from exc
                return
            self._keys = {kid: _public_key(pem) for kid, pem in certs.items()}
            self._fetched_at = time.monotonic()
            self._expires_at = self._fetched_at + _max_age(
                response.headers.get("cache-control", ""), self._fallback_ttl
            )
            log.info("auth.certs.refreshed", count=len(self._keys))


def _public_key(pem: str) -> RSAPublicKey:
    key = load_pem_x509_certificate(pem.encode()).public_key()
    if not isinstance(key, RSAPublicKey):
        raise ValueError("certificate does not hold an RSA key")
    return key


def _max_age(cache_control: str, fallback: int) -> int:
    if "no-store" in cache_control or "no-cache" in cache_control:
        return 0
    match = _MAX_AGE.search(cache_control)
    return int(match.group(1)) if match else fallback


class TokenVerifier:
    """Verifies Firebase ID tokens for one project.

    A phone sends the same token for up to an hour, so tokens that verified are kept
    (bounded, least recently used first out) until they expire: the signature check
    dominates the cost of an authenticated read.
    """

    def __init__(
        self,
        certs: CertificateStore,
        *,
        project_id: str,
        skew_seconds: int,
        cache_size: int = 10_000,
    ) -> None:
        self._certs = certs
        self._project_id = project_id
        self._issuer = f"https://securetoken.google.com/{project_id}"
        self._skew = skew_seconds
        self._verified: OrderedDict[str, VerifiedToken] = OrderedDict()
        self._cache_size = cache_size

    async def verify(self, token: str) -> VerifiedToken:
        cached = self._verified.get(token)
        if cached is not None:
            if cached.claims["exp"] + self._skew > time.time():
                self._verified.move_to_end(token)
                return cached
            del self._verified[token]
        verified = await self._verify(token)
        self._verified[token] = verified
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
        return verified

    async def _verify(self, token: str) -> VerifiedToken:
        header = _header(token)
        key = await self._certs.key_for(header["kid"])
        if key is None:
            raise InvalidToken("ID token has an unknown key id (kid)")
        claims = self._decode(token, key)
        self._check_times(claims)
        return VerifiedToken(uid=claims["sub"], claims=claims)

    def _decode(self, token: str, key: RSAPublicKey) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._project_id,
                issuer=self._issuer,
                leeway=self._skew,
                options={"require": ["exp", "iat", "aud", "iss", "sub", "auth_time"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenExpired("ID token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken("ID token has the wrong audience (aud)") from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken("ID token has the wrong issuer (iss)") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"ID token lacks the {exc.claim} claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise InvalidToken("ID token signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"ID token is invalid: {exc}") from exc

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = time.time()
        sub = claims["sub"]
        if not isinstance(sub, str) or not sub or len(sub) > 128:
            raise InvalidToken("ID token subject (sub) must be 1 to 128 characters")
        for name in ("iat", "auth_time"):
            value = claims[name]
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise InvalidToken(f"ID token {name} is not a number")
            if value > now + self._skew:
                raise InvalidToken(f"ID token {name} is in the future")
        if not isinstance(claims["exp"], int | float) or claims["exp"] <= claims["iat"]:
            raise InvalidToken("ID token exp must follow iat")


def _header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("ID token is not a well-formed JWT") from exc
    if header.get("alg") != "RS256":
        raise InvalidToken("ID token must be signed with RS256")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise InvalidToken("ID token has no key id (kid)")
    return header
