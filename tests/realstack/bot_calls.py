"""Bot calls on a real Asterisk, for the tests of the AI agent (in-process and celery speech).

pbx's CallEngine runs in the test process with a :class:`BotRuntime`; simulated customers
(ops.simulator.customer) answer each bot prompt with scripted lines. A test may act while the
calls run (kill a speech worker, hang up once an agent answers) through ``meanwhile``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from ops.simulator.customer import CustomerScript, SimulatedCustomers, flite_voice
from ops.stack.asterisk import AsteriskInstance
from pbx.ami import AmiLink
from pbx.ami_listener import AmiQueueListener
from pbx.api import Event, OriginateCall, PbxConfig
from pbx.ari.client import HttpAriRest
from pbx.ari.events import AriEvent
from pbx.bot.runtime import BotRuntime
from pbx.calls.channels import hang_up
from pbx.calls.engine import CallEngine
from pbx.dialog.library import SAMPLE_LEAD
from pbx.media.codec import ULAW
from pbx.settings import PbxSettings
from tests.realstack.harness import ari_app

SIM_APP = "ccsim"


def bot_pbx_settings(asterisk: AsteriskInstance, **overrides: object) -> PbxSettings:
    """pbx's settings for ``asterisk``, with its media folder where Asterisk plays prompts from."""
    s = asterisk.settings
    media_host = asterisk.root / s.instance_dir.lstrip("/") / "spool" / "media"
    return PbxSettings(
        ari_url=asterisk.ari_url, ari_user=s.ari_user, ari_password=s.ari_password, ari_app=s.ari_app,
        ami_port=s.ami_port, ami_user=s.ami_user, ami_secret=s.ami_secret, failsafe_queue="support",
        media_dir=str(media_host), media_dir_asterisk=f"{s.instance_dir}/spool/media", **overrides,
    )  # fmt: skip


@dataclass
class CallsInProgress:
    """What a test's ``meanwhile`` sees while the calls run."""

    events: list[Event]
    call_ids: dict[str, str]
    engine: CallEngine
    customers: SimulatedCustomers
    rest: HttpAriRest
    # The customers' own ARI events (e.g. PlaybackFinished: a customer stopped speaking), with
    # the Unix time they arrived.
    customer_events: list[tuple[float, AriEvent]] = field(default_factory=list)


def run_bot_calls(asterisk: AsteriskInstance, bot_runtime: tuple[PbxSettings, BotRuntime],
                  scripts: list[CustomerScript], agent: object | None, until, timeout: float = 90,
                  inbound: PbxConfig | None = None, escalation_queue: str = "support",
                  variables: dict[str, str] | None = None,
                  meanwhile: Callable[[CallsInProgress], Awaitable[None]] | None = None,
                  ) -> tuple[list[Event], dict[str, str]]:  # fmt: skip
    """Originate one call per script; returns the events and {script name: call id}.

    ``until(events, call_ids)`` ends the wait; ``meanwhile`` runs beside it (its failure fails
    the test); then every call still up is hung up."""
    settings, runtime = bot_runtime
    s = asterisk.settings
    events: list[Event] = []
    call_ids: dict[str, str] = {}

    async def publish(event: Event) -> None:
        events.append(event)

    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, asterisk.ari_url, s.ari_user, s.ari_password)

            async def route(did: str):
                return inbound.route_for(did) if inbound is not None else None

            engine = CallEngine(rest, publish, s.ari_app, runtime.conversations, ULAW, "support", runtime.prompt_files,
                                inbound_routes=route)  # fmt: skip
            customers = SimulatedCustomers(rest, SIM_APP, flite_voice(),
                                           asterisk.root / s.instance_dir.lstrip("/") / "spool" / "sim",
                                           f"{s.instance_dir}/spool/sim")  # fmt: skip
            progress = CallsInProgress(events, call_ids, engine, customers, rest)

            async def on_customer_event(event: AriEvent) -> None:
                progress.customer_events.append((time.time(), event))
                await customers.on_event(event)

            ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
            listener = asyncio.create_task(AmiQueueListener(ami).run([engine.on_ami_event]))
            await ami.start()
            try:
                async with ari_app(session, asterisk, s.ari_app, engine.on_event), \
                        ari_app(session, asterisk, SIM_APP, on_customer_event):
                    await _place_calls(progress)
            finally:
                ami.close()
                listener.cancel()

    async def _place_calls(progress: CallsInProgress) -> None:
        engine, customers, rest = progress.engine, progress.customers, progress.rest
        for script in scripts:
            if inbound is not None:
                # The customer calls in: its channel is the caller, our DID answers.
                run = customers.register(script)
                await rest.post("channels", endpoint="Local/5551234@from-trunk", app=SIM_APP,
                                appArgs=run.token)  # fmt: skip
                call_ids[script.name] = ""
                continue
            endpoint, _ = customers.endpoint(script)
            command = OriginateCall(endpoint=endpoint, flow="order_confirmation", lead=dict(SAMPLE_LEAD),
                                    escalation_queue=escalation_queue, variables=variables or {})  # fmt: skip
            call_ids[script.name] = command.call_id
            await engine.originate(command)
        side = asyncio.create_task(meanwhile(progress)) if meanwhile is not None else None
        try:
            async with asyncio.timeout(timeout):
                while not until(events, call_ids):
                    if side is not None and side.done():
                        side.result()  # its assertion, if it failed
                    await asyncio.sleep(0.1)
        except TimeoutError:
            story = "\n".join(f"  {e.type} {getattr(e, 'speaker', '')} {getattr(e, 'text', '')}"
                              f"{getattr(e, 'reason', '') or ''} {getattr(e, 'name', '')} {getattr(e, 'outcome', '')} {getattr(e, 'cause', '')} {getattr(e, 'detail', '')} {getattr(e, 'channel', '')}" for e in events)
            runs = {r.script.name: (r.prompts_heard, r.lines_said) for r in customers.runs.values()}
            raise AssertionError(f"timed out; customers (prompts heard, lines said) {runs}; events:\n{story}\n{asterisk.log_tail(400)}") from None
        finally:
            if side is not None and not side.done():
                side.cancel()
        if side is not None and side.done() and not side.cancelled():
            side.result()
        for call_id in call_ids.values():
            if call_id in engine.calls:
                await hang_up(rest, engine.calls[call_id].channel_id)
        await asyncio.sleep(0.5)

    asyncio.run(go())
    return events, call_ids


def events_of(events: list[Event], call_id: str, kind: type) -> list:
    return [e for e in events if isinstance(e, kind) and e.call_id == call_id]
