"""Console sessions: a signed cookie that expires, with sign-outs remembered in Redis.

The cookie holds the session id, the signed-in uid (none before sign-in), the session's
CSRF token and its language, signed with DEBTX_CONSOLE__SESSION_SECRET. It is HttpOnly,
SameSite=Lax and, in production, Secure. Signing in issues a new id and CSRF token, so a
session planted before sign-in is worth nothing after it. A signed-out id is kept in
Redis until the cookie would have expired anyway.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import Response

from backend.console.i18n import Language, language_of
from backend.core.settings import Settings

COOKIE = "debtx_console"
COOKIE_PATH = "/console"
_SALT = "debtx.console.session"
_REVOKED = "console:signed-out:"


def _token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    sid: str
    csrf: str
    language: Language
    started: float  # the session ends `ttl` after this, whatever happens meanwhile
    uid: str | None = None

    @classmethod
    def anonymous(cls, language: Language = Language.ENGLISH) -> Session:
        return cls(sid=_token(), csrf=_token(), language=language, started=time.time())

    def signed_in(self, uid: str) -> Session:
        """A fresh session for `uid`, keeping only the language."""
        return Session(
            sid=_token(), csrf=_token(), language=self.language, started=time.time(), uid=uid
        )

    def speaking(self, language: Language) -> Session:
        return replace(self, language=language)


class SessionCodec:
    """Reads and writes the session cookie; refuses forged, altered and expired ones."""

    def __init__(self, settings: Settings) -> None:
        self.ttl = settings.console.session_ttl_seconds
        self.secure = settings.is_production
        self._serializer = URLSafeTimedSerializer(
            settings.console.session_secret.get_secret_value(), salt=_SALT
        )

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data: dict[str, Any] = self._serializer.loads(raw, max_age=self.ttl)
            session = Session(
                sid=str(data["sid"]),
                csrf=str(data["csrf"]),
                language=language_of(data.get("lang")),
                started=float(data["started"]),
                uid=data.get("uid"),
            )
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        return session if self._remaining(session) > 0 else None

    def write(self, response: Response, session: Session) -> None:
        value = self._serializer.dumps(
            {
                "sid": session.sid,
                "csrf": session.csrf,
                "lang": session.language.value,
                "started": session.started,
                "uid": session.uid,
            }
        )
        response.set_cookie(
            COOKIE,
            value,
            max_age=max(int(self._remaining(session)), 1),
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def _remaining(self, session: Session) -> float:
        return session.started + self.ttl - time.time()

    async def revoke(self, redis: Redis, session: Session) -> None:
        """Remember a signed-out session until its cookie would have expired."""
        await redis.set(_REVOKED + session.sid, "1", ex=max(int(self._remaining(session)), 1))

    async def is_revoked(self, redis: Redis, session: Session) -> bool:
        return bool(await redis.exists(_REVOKED + session.sid))
