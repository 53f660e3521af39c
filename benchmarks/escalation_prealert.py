"""Pre-alert's management side for ``python -m benchmarks escalation``: Django's own code, in-process.

The benchmark's pbx (a ``CallEngine`` in the benchmark's event loop) publishes its events here
instead of to Redis. Each is applied by Django's event handling as the event consumer applies a
read (``apply_events`` in one transaction, ``contactcenter.campaigns.pbx_events``), on a throwaway
SQLite, in one worker thread of its own (the ORM is synchronous, the engine must not wait for it).
So the agent is chosen by ``contactcenter.people.reservations`` and the ``reserve_agent``
command is built by ``contactcenter.console.prealert``, unchanged; only its transport differs:
where the consumer's ``RedisPbxLink`` would add it to pbx's command stream, ``EngineLink`` hands
it to the engine's ``handle_command`` (what pbx's command reader calls). The Redis hops (a few
milliseconds each way) are left out; they happen seconds before the decision, off the timed path.
Nobody's console is open: pushes go nowhere (no channel layer).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pbx.api import AgentReserved, AgentState, Command, Event
from pbx.calls.engine import CallEngine

log = logging.getLogger(__name__)


class EngineLink:
    """``prealert.CommandSender``: commands to the engine, from the worker thread."""

    def __init__(self, engine: CallEngine, loop: asyncio.AbstractEventLoop) -> None:
        self._engine = engine
        self._loop = loop

    def send(self, commands: Sequence[Command]) -> None:
        for command in commands:
            asyncio.run_coroutine_threadsafe(self._engine.handle_command(command), self._loop).result(10)


class ManagementSide:
    """Django's agents and queue for the benchmark's Asterisk, and its handling of pbx's events."""

    def __init__(self, var_dir: Path, queue: str, agents: Sequence[str]) -> None:
        from benchmarks.dialer import _setup_django

        # Nothing listens there: the channel layer is switched off below, before anyone pushes.
        _setup_django(var_dir, "redis://127.0.0.1:9/0", immediate=True)
        from django.conf import settings

        settings.CHANNEL_LAYERS = {}  # no console is open: pushes go nowhere
        # The benchmark renders its Asterisk's queue itself: Django's snapshot has nobody to go to.
        logging.getLogger("contactcenter.telephony.publisher").setLevel(logging.ERROR)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="django-events")
        self._pool.submit(self._create, queue, tuple(agents)).result()
        self._link: EngineLink | None = None
        self._pending: list[Future] = []
        self.reserved: dict[str, str] = {}  # call id -> the agent pbx held for it

    @staticmethod
    def _create(queue: str, agents: tuple[str, ...]) -> None:
        from django.utils import timezone

        from contactcenter.people.models import Agent, HumanQueue, QueueMembership

        human_queue, _ = HumanQueue.objects.get_or_create(name=queue)
        for name in agents:
            # Logged in and free, auto-answer on (the setting's default): as an agent following calls.
            agent, _ = Agent.objects.update_or_create(name=name, defaults={
                "state": AgentState.AVAILABLE, "state_changed_at": timezone.now(), "auto_answer": True})  # fmt: skip
            QueueMembership.objects.get_or_create(agent=agent, queue=human_queue)

    def attach(self, engine: CallEngine) -> None:
        self._link = EngineLink(engine, asyncio.get_running_loop())

    async def publish(self, event: Event) -> None:
        """What the engine publishes: applied in the worker thread, in order; the engine goes on."""
        if isinstance(event, AgentReserved) and event.call_id:
            self.reserved[event.call_id] = event.agent
        self._pending = [f for f in self._pending if not f.done() or f.exception() is not None]
        self._pending.append(self._pool.submit(self._apply, event))

    def _apply(self, event: Event) -> None:
        from django.db import transaction

        from contactcenter.campaigns.pbx_events import apply_events

        with transaction.atomic():  # one read of the event consumer
            done = apply_events([event], self._link)
        log.debug("%s %s: %s", event.type, event.call_id, done)

    def errors(self) -> list[BaseException]:
        return [exc for f in self._pending if f.done() and (exc := f.exception()) is not None]

    def close(self) -> None:
        from django.db import connections

        self._pool.submit(connections.close_all).result()  # the worker thread's connection
        self._pool.shutdown(wait=True)
