"""What keeps the console's pages honest: the CSP and other headers, CSRF checks, redirects.

Every script is a static file (htmx is configured from a meta tag, with eval and inline
indicator styles off), so the policy allows scripts and styles from the app alone.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.requests import Request

from backend.console.sessions import Session
from backend.core.errors import Forbidden
from backend.core.settings import Settings

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where the Firebase JS SDK signs in (email and password; no pop-ups, no frames).
FIREBASE_AUTH_ORIGINS = (
    "https://identitytoolkit.googleapis.com",
    "https://securetoken.googleapis.com",
)


def content_security_policy(settings: Settings) -> str:
    connect = ["'self'"]
    if not settings.auth.dev_login:
        connect += FIREBASE_AUTH_ORIGINS
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": " ".join(connect),
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def page_headers(csp: str) -> dict[str, str]:
    """Headers on every console page: pages hold personal data, so nothing caches them."""
    return {
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
        "cross-origin-opener-policy": "same-origin",
        "cache-control": "no-store",
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _same_origin(request: Request, public_url: str) -> bool:
    """The browser's word on where the request came from, when it gives one."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # a browser that sends neither; the token decides
    return origin.lower() in (_origin(str(request.base_url)), _origin(public_url))


async def check_csrf(request: Request, session: Session | None, public_url: str) -> None:
    """A state-changing request must come from a console page: same origin, and the
    session's CSRF token in the X-CSRF-Token header (htmx) or the csrf_token field."""
    if request.method in SAFE_METHODS:
        return
    if not _same_origin(request, public_url):
        raise Forbidden("Cross-site request refused: it did not come from a console page")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if session is None or not sent or not hmac.compare_digest(sent, session.csrf):
        raise Forbidden("This form has expired or did not come from the console; reload the page")


def safe_next(target: str | None, default: str = "/console") -> str:
    """Only a path inside the console is a place to go back to (no open redirects)."""
    if not target or not (target == "/console" or target.startswith("/console/")):
        return default
    if target.startswith("/console/static/"):
        return default
    if "//" in target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    return target
