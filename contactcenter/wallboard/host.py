"""The wallboard feeder running inside the web server: one background task per process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from contactcenter.wallboard.config import FeederConfig
from contactcenter.wallboard.feeder import Feeder

log = logging.getLogger(__name__)


class FeederHost:
    """Keeps one :class:`Feeder` running as a background task of this process's event loop.

    The web server's first wallboard connection starts it (``ensure_running``); it then runs
    for the life of the process, whether or not anyone watches, so counters stay continuous.
    """

    def __init__(self, make_feeder: Callable[[], Feeder]) -> None:
        self._make_feeder = make_feeder
        self._task: asyncio.Task[None] | None = None
        self.feeder: Feeder | None = None

    def ensure_running(self) -> Feeder:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self.feeder = self._make_feeder()
            self._task = loop.create_task(self.feeder.run(), name="wallboard-feeder")
            self._task.add_done_callback(self._ended)
        assert self.feeder is not None
        return self.feeder

    @staticmethod
    def _ended(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("wallboard feeder ended: %r", task.exception())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass


def _default_feeder() -> Feeder:
    from channels.layers import get_channel_layer

    return Feeder(FeederConfig.from_settings(), get_channel_layer())


embedded = FeederHost(_default_feeder)
