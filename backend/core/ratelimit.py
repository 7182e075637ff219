"""Abuse limits: how often one account and one IP address may call a group of routes.

Counted in Redis by `limits` over a moving window (`DEBTX_RATE_LIMITS__<GROUP>__PER_USER`
and `__PER_IP`); a call past a limit is a 429 `rate_limited` problem with `Retry-After`.
Routes take `dependencies=[RateLimited("callbacks")]` (per IP), or, once the caller is
known, call `check(request, "sync_push", user=uid)`; `backend.auth.deps.UserRateLimited`
does both for routes with a bearer token.
"""

from __future__ import annotations

import math
import time
from typing import Any, Literal

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from backend.core.errors import DomainError
from backend.core.logging import get_logger
from backend.core.settings import AbuseLimit, RateLimitSettings

log = get_logger(__name__)

Group = Literal["sign_in", "sync_push", "uploads", "callbacks"]
_PREFIX = "debtx:limits"


class TooManyRequests(DomainError):
    """Too many calls of this kind from this account or address; retry after the
    `Retry-After` header's seconds (also `retry_after` in the body)."""

    code = "rate_limited"
    status = 429
    title = "Too many requests"

    def headers(self) -> dict[str, str]:
        return {"retry-after": str(self.extra["retry_after"])}


class Limiter:
    """The configured limits over one Redis, as a moving window per group and key."""

    def __init__(self, settings: RateLimitSettings, redis_url: str) -> None:
        self.settings = settings
        storage = RedisStorage(
            f"async+{redis_url}", implementation="redispy", key_prefix=_PREFIX, wrap_exceptions=True
        )
        self._window = MovingWindowRateLimiter(storage)

    def limits_of(self, group: Group) -> AbuseLimit:
        found: AbuseLimit = getattr(self.settings, group)
        return found

    async def hit(self, group: Group, scope: str, key: str, rate: str | None) -> None:
        """Count one call of `group` by `key`; TooManyRequests once past `rate`."""
        if rate is None or not self.settings.enabled:
            return
        item = parse(rate)
        try:
            allowed = await self._window.hit(item, group, scope, key)
            if allowed:
                return
            retry_after = await self._retry_after(item, group, scope, key)
        except StorageError as exc:  # Redis away: serve rather than refuse everyone
            log.warning("ratelimit.unavailable", group=group, error=str(exc.storage_error))
            return
        log.info("ratelimit.refused", group=group, scope=scope)
        raise TooManyRequests(
            f"Too many {group.replace('_', ' ')} requests; retry in {retry_after} s",
            retry_after=retry_after,
        )

    async def _retry_after(self, item: RateLimitItem, *keys: str) -> int:
        stats = await self._window.get_window_stats(item, *keys)
        return max(1, math.ceil(stats.reset_time - time.time()))


def client_ip(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy: as uvicorn's
    `--forwarded-allow-ips` makes it)."""
    return request.client.host if request.client else "unknown"


async def check(
    request: Request, group: Group, *, user: str | None = None, ip: bool = True
) -> None:
    """Count this call against the group's per-IP limit (unless counted already) and,
    given `user`, its per-user limit; raises TooManyRequests (429) past either."""
    limiter: Limiter = request.app.state.rate_limiter
    limits = limiter.limits_of(group)
    if ip:
        await limiter.hit(group, "ip", client_ip(request), limits.per_ip)
    if user is not None:
        await limiter.hit(group, "user", user.casefold(), limits.per_user)


def RateLimited(group: Group) -> Any:
    """A route dependency counting each call against `group`'s per-IP limit."""

    async def limited(request: Request) -> None:
        await check(request, group)

    return Depends(limited)
