"""asyncio helpers: background jobs tied to one owner (a call, a conversation).

Each task is kept referenced until it ends (asyncio holds only weak references), a failure
is logged with the owner's name instead of vanishing, and the owner cancels them together.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: background job failed", self._owner, exc_info=task.exception())

    def cancel_all(self) -> None:
        """Cancel every job but the one calling this (it may be ending its own owner)."""
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
