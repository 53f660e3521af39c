"""Bot calls to simulated customers with their own phone line, placed as the dialer places them.

The turn and load benchmarks both send ``OriginateCall`` (order-confirmation flow) on the
command stream to ``python -m pbx``, each to a customer of :mod:`ops.simulator.line_customer`
who speaks its script's lines (flite's voice, synthesised once per line and replayed) over RTP
and times the bot's replies on its side of the line.

    async with LineCalls(asterisk, redis_url) as lines:
        placed = await lines.place(script, lead, timeout_s=120)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from ops.simulator.customer import CustomerScript, flite_voice
from ops.simulator.line_customer import LineCustomers, LineRun
from ops.stack.asterisk import AsteriskInstance
from pbx.ari.client import HttpAriRest
from pbx.ari.connection import AriEventStream
from pbx.backoff import Backoff

SIM_APP = "ccsim"  # what cc-sim-reactive's Stasis() enters when CC_SIM_APP is not set
CALLER_ID = "+911800100100"


@dataclass
class PlacedCall:
    call_id: str
    run: LineRun
    ended: bool  # the customer's side ended (hung up, or was hung up on) within the timeout
    duration_s: float  # from the command sent to the customer's side ended (or the timeout)


class LineCalls:
    """The customers' ARI app on ``asterisk`` and a Redis client to pbx's command stream."""

    def __init__(self, asterisk: AsteriskInstance, redis_url: str) -> None:
        self._asterisk = asterisk
        self._redis_url = redis_url
        self._cleanup = contextlib.AsyncExitStack()
        self.customers: LineCustomers | None = None

    async def __aenter__(self) -> LineCalls:
        import redis.asyncio as aioredis

        s = self._asterisk.settings
        try:
            session = await self._cleanup.enter_async_context(aiohttp.ClientSession())
            rest = HttpAriRest(session, self._asterisk.ari_url, s.ari_user, s.ari_password)
            self.customers = LineCustomers(rest, SIM_APP, flite_voice())
            stream = AriEventStream(session, self._asterisk.ari_url, s.ari_user, s.ari_password, SIM_APP,
                                    Backoff(0.1, 1))  # fmt: skip
            connected = asyncio.Event()

            async def on_connect() -> None:
                connected.set()

            events = asyncio.create_task(stream.run(self.customers.on_event, on_connect))
            self._cleanup.push_async_callback(_cancelled, events)
            self.redis = aioredis.Redis.from_url(self._redis_url)
            self._cleanup.push_async_callback(self.redis.aclose)
            await asyncio.wait_for(connected.wait(), 10)
        except BaseException:
            await self._cleanup.aclose()
            raise
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self._cleanup.aclose()

    async def place(self, script: CustomerScript, lead: dict[str, str], timeout_s: float, queue: str = "support",
                    before_send: Callable[[str], None] | None = None) -> PlacedCall:  # fmt: skip
        """One call to a new customer speaking ``script``; returns once the customer's side ended
        (or after ``timeout_s``, ``ended`` False). ``before_send`` gets the call id first."""
        from pbx.api import COMMANDS_STREAM, OriginateCall, to_fields

        assert self.customers is not None, "use LineCalls as an async context manager"
        endpoint, run = self.customers.endpoint(script)
        command = OriginateCall(endpoint=endpoint, flow="order_confirmation", lead=lead, escalation_queue=queue,
                                caller_id=CALLER_ID)  # fmt: skip
        if before_send is not None:
            before_send(command.call_id)
        sent = time.monotonic()
        await self.redis.xadd(COMMANDS_STREAM, to_fields(command))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.ended.wait(), timeout_s)
        return PlacedCall(command.call_id, run, run.ended.is_set(), time.monotonic() - sent)


async def _cancelled(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
