"""A lease in Redis: one holder at a time across processes, for periodic workers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis

# Release only our own lease: it may have expired and been taken by another worker.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


@dataclass
class Lease:
    redis: Redis
    name: str
    token: str
    seconds: float
    held: bool

    async def renew(self) -> bool:
        """Extend the lease; False once it was lost (expired and taken by another)."""
        self.held = bool(
            await self.redis.eval(_RENEW, 1, self.name, self.token, int(self.seconds * 1000))
        )
        return self.held


@asynccontextmanager
async def lease(redis: Redis, name: str, *, seconds: float) -> AsyncIterator[Lease]:
    """Take `name` if free; `lease.held` says whether this caller got it."""
    token = uuid.uuid4().hex
    held = bool(await redis.set(name, token, nx=True, px=int(seconds * 1000)))
    taken = Lease(redis, name, token, seconds, held)
    try:
        yield taken
    finally:
        if taken.held:
            await redis.eval(_RELEASE, 1, name, token)
