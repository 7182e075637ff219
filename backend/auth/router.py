"""Development-only sign-in: real RS256 ID tokens from a local key, no Google needed."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backend.auth.errors import DevAccountNotFound
from backend.auth.schemas import DevSignIn, DevToken
from backend.core import ratelimit
from backend.core.errors import problem_responses
from backend.firebase.devkeys import SigningKey
from backend.users import service as users

router = APIRouter(prefix="/auth/dev", tags=["auth (development only)"])


def _signing_key(request: Request) -> SigningKey:
    return request.app.state.dev_signing_key


@router.get("/certs", summary="Certificates of the development signing key")
async def certificates(request: Request, response: Response) -> dict[str, str]:
    """Serves the dev key's certificate the way Google serves its own."""
    response.headers["cache-control"] = "public, max-age=3600"
    return _signing_key(request).certificates()


@router.post(
    "/sign-in",
    summary="Sign in as a seeded account (development only)",
    responses=problem_responses(429),
)
async def sign_in(request: Request, body: DevSignIn) -> DevToken:
    """Mint an ID token for an existing, active account."""
    await ratelimit.check(request, "sign_in", user=str(body.email))
    user = await users.by_email(str(body.email))
    if user is None or not user.active:
        raise DevAccountNotFound(f"No active account {body.email}")
    settings = request.app.state.settings
    ttl = settings.auth.dev_token_ttl_seconds
    token = _signing_key(request).mint(
        uid=user.id,
        project_id=settings.firebase.project_id,
        ttl_seconds=ttl,
        email=user.email,
        email_verified=True,
    )
    return DevToken(id_token=token, expires_in=ttl, uid=user.id, role=user.role)
