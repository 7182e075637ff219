"""A local RSA key that signs real Firebase-shaped ID tokens, for development.

The key lives on disk so tokens survive a restart; its certificate is served
like Google's, so verification takes exactly the production code path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    certificate_pem: str
    kid: str

    @classmethod
    def generate(cls) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls.from_private_key(key)

    @classmethod
    def from_private_key(cls, key: rsa.RSAPrivateKey) -> SigningKey:
        cert_pem = _self_signed(key).public_bytes(serialization.Encoding.PEM).decode()
        kid = hashlib.sha1(cert_pem.encode()).hexdigest()
        return cls(private_key=key, certificate_pem=cert_pem, kid=kid)

    @classmethod
    def load_or_create(cls, directory: Path) -> SigningKey:
        path = directory / "dev-signing-key.pem"
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            return cls.from_private_key(key)
        directory.mkdir(parents=True, exist_ok=True)
        signing = cls.generate()
        path.write_bytes(signing.private_pem())
        path.chmod(0o600)
        return signing

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def certificates(self) -> dict[str, str]:
        """The document a certificate URL serves: `{kid: PEM certificate}`."""
        return {self.kid: self.certificate_pem}

    def mint(self, *, uid: str, project_id: str, ttl_seconds: int = 3600, **claims: Any) -> str:
        """A Firebase-shaped ID token for `uid`."""
        now = int(time.time())
        payload = {
            "iss": f"https://securetoken.google.com/{project_id}",
            "aud": project_id,
            "auth_time": now,
            "user_id": uid,
            "sub": uid,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            "firebase": {"identities": {}, "sign_in_provider": "custom"},
            **claims,
        }
        return jwt.encode(payload, self.private_key, algorithm="RS256", headers={"kid": self.kid})


def _self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "debtx-dev-securetoken")])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
