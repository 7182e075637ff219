"""One event loop and one set of clients per worker process.

Celery tasks are plain functions; they run their async body on this loop so
Beanie and the async PyMongo client stay bound to a single loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from backend.core.settings import Settings, get_settings
from backend.resources import Resources

T = TypeVar("T")

_loop: asyncio.AbstractEventLoop | None = None
_resources: Resources | None = None


def start(settings: Settings | None = None) -> Resources:
    global _loop, _resources
    if _resources is None:
        _loop = asyncio.new_event_loop()
        _resources = _loop.run_until_complete(Resources.open(settings or get_settings()))
    return _resources


def stop() -> None:
    global _loop, _resources
    if _loop is not None and _resources is not None:
        _loop.run_until_complete(_resources.close())
        _loop.close()
    _loop = _resources = None


def resources() -> Resources:
    return start()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a task's async body on the process's loop."""
    start()
    assert _loop is not None
    return _loop.run_until_complete(coro)
