"""Calls from the trunk: a sipp carrier dials a DID over Asterisk's SIP port, pbx routes it.

The routes come from a ``PbxConfig`` published to the test Redis, read by pbx's own
``ConfigCache``; the call engine runs in the test process. Business hours are "never open"
for the after-hours cases (the calendar itself is unit-tested in tests/pbx/test_inbound.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis

from ops.simulator.carrier import SippCarrier
from ops.simulator.sip_agent import SippAgent
from ops.stack.asterisk import AsteriskInstance
from ops.stack.redis_server import RedisServer
from pbx.ami import AmiLink
from pbx.ami_listener import AmiQueueListener
from pbx.api import (
    CONFIG_KEY,
    AgentConnected,
    CallAnswered,
    CallbackRequested,
    CallEnded,
    CallEscalated,
    CallQueued,
    CallStarted,
    Event,
    InboundRoute,
    OpeningHours,
    PbxConfig,
    UtteranceHeard,
    VoicemailLeft,
)
from pbx.ari.client import HttpAriRest
from pbx.calls.channels import hang_up
from pbx.calls.engine import CallEngine
from pbx.config_snapshot import ConfigCache
from pbx.dialog.library import SAMPLE_LEAD
from pbx.media.codec import ULAW
from tests.realstack.harness import ari_app
from tests.realstack.test_bot_call import bot_runtime  # noqa: F401 (the bot's models, loaded once)

pytestmark = pytest.mark.realstack

DID = "5551234"
CALLER = "+919800000009"  # not an agent's name: the trunk's address identifies the call
CLOSED = OpeningHours(timezone="UTC")  # no opening window: never open


class NoBot:
    """The bot's set-up, refusing: for calls that must not reach it (and a DID with no route)."""

    def __init__(self) -> None:
        self.asked = 0

    def __call__(self, call):
        self.asked += 1
        raise RuntimeError("no bot in this test")


def _run(asterisk: AsteriskInstance, redis: RedisServer, config: PbxConfig, carrier: SippCarrier,
         until: Callable[[list[Event]], bool], conversations=None, prompt_files=None,
         timeout: float = 60) -> list[Event]:  # fmt: skip
    """Publish ``config``, let ``carrier`` call, and collect pbx's events until ``until`` holds."""
    s = asterisk.settings
    events: list[Event] = []

    async def publish(event: Event) -> None:
        events.append(event)

    async def go() -> None:
        client = aioredis.from_url(redis.url)
        await client.set(CONFIG_KEY, config.model_dump_json())
        cache = ConfigCache(client, max_age_s=0)

        async def routes(did: str):
            return (await cache.current()).route_for(did)

        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, asterisk.ari_url, s.ari_user, s.ari_password)
            engine = CallEngine(rest, publish, s.ari_app, conversations or NoBot(), ULAW, "sales", prompt_files,
                                inbound_routes=routes)  # fmt: skip
            ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
            listener = asyncio.create_task(AmiQueueListener(ami).run([engine.on_ami_event]))
            await ami.start()
            try:
                async with ari_app(session, asterisk, s.ari_app, engine.on_event):
                    carrier.start()
                    try:
                        async with asyncio.timeout(timeout):
                            while not until(events):
                                await asyncio.sleep(0.1)
                    except TimeoutError:
                        story = "\n".join(f"  {e!r}" for e in events)
                        raise AssertionError(f"timed out; events:\n{story}\ncarrier:\n{carrier.messages()[-3000:]}\n"
                                             f"{asterisk.log_tail(200)}") from None  # fmt: skip
                    for call in list(engine.calls.values()):
                        await hang_up(rest, call.channel_id)
                    await asyncio.sleep(0.5)
            finally:
                carrier.stop()
                ami.close()
                listener.cancel()
                await client.delete(CONFIG_KEY)
                await client.aclose()

    asyncio.run(go())
    return events


def _config(route: InboundRoute) -> PbxConfig:
    return PbxConfig(version=int(time.time()), inbound={DID: route})


def _one(events: list[Event], kind: type):
    [found] = [e for e in events if isinstance(e, kind)]
    return found


def test_a_queue_route_puts_the_caller_in_its_queue_where_an_agent_answers(
    asterisk_server: AsteriskInstance, redis_server: RedisServer, sim_agent_port: int, tmp_path: Path
) -> None:
    agent = SippAgent("agent1", sim_agent_port, tmp_path / "agent")
    carrier = SippCarrier(asterisk_server.settings.sip_port, DID, CALLER, tmp_path / "carrier", hold_ms=20000)
    bots = NoBot()
    agent.start()
    try:
        events = _run(asterisk_server, redis_server, _config(InboundRoute(target="queue", escalation_queue="support")),
                      carrier, lambda ev: any(isinstance(e, AgentConnected) for e in ev), conversations=bots)  # fmt: skip
    finally:
        agent.stop()
    started = _one(events, CallStarted)
    assert (started.direction, started.endpoint, started.caller) == ("inbound", DID, CALLER)
    escalated = _one(events, CallEscalated)
    assert (escalated.call_id, escalated.queue, escalated.reason) == (started.call_id, "support", "inbound_queue")
    queued = [e for e in events if isinstance(e, CallQueued)]
    assert [(e.call_id, e.queue) for e in queued] == [(started.call_id, "support")]
    assert _one(events, AgentConnected).agent == "agent1"
    assert agent.answered() == [("inbound_queue", started.call_id)]
    assert bots.asked == 0


@pytest.mark.parametrize("action", ["message", "voicemail", "callback"])
def test_outside_business_hours_the_routes_after_hours_action_happens(
    asterisk_server: AsteriskInstance, redis_server: RedisServer, tmp_path: Path, action: str
) -> None:
    # The voicemail caller speaks (well, stays silent) past vm-intro's greeting, then hangs up.
    carrier = SippCarrier(asterisk_server.settings.sip_port, DID, CALLER, tmp_path / "carrier", hold_ms=12000)
    route = InboundRoute(flow="order_confirmation", hours=CLOSED, after_hours=action, campaign_id=None)
    bots = NoBot()
    events = _run(asterisk_server, redis_server, _config(route), carrier,
                  lambda ev: any(isinstance(e, CallEnded) for e in ev), conversations=bots)  # fmt: skip
    ended = _one(events, CallEnded)
    assert (ended.outcome, ended.detail) == ("after_hours", f"{action} (closed)")
    assert bots.asked == 0 and not [e for e in events if isinstance(e, CallEscalated)]
    # The caller heard something: the stock sounds last a second or more, not a hang-up at once.
    assert ended.at - _one(events, CallAnswered).at > 1.0
    if action == "voicemail":
        left = _one(events, VoicemailLeft)
        assert (left.caller, left.did, left.call_id) == (CALLER, DID, ended.call_id)
        recording = asterisk_server.root / left.path.lstrip("/")
        assert recording.exists() and recording.name == f"{ended.call_id}.wav"
        assert carrier.log_has("ENDED") and not carrier.log_has("HUNG_UP_BY_ASTERISK")
    else:
        assert carrier.log_has("HUNG_UP_BY_ASTERISK")  # the message played, then Asterisk hung up
    if action == "callback":
        request = _one(events, CallbackRequested)
        assert (request.caller, request.did, request.campaign_id, request.opens_at) == (CALLER, DID, None, None)


def test_a_did_without_a_route_reaches_the_failsafe_queue(
    asterisk_server: AsteriskInstance, redis_server: RedisServer, tmp_path: Path
) -> None:
    carrier = SippCarrier(asterisk_server.settings.sip_port, "5550000", CALLER, tmp_path / "carrier", hold_ms=20000)
    events = _run(asterisk_server, redis_server, _config(InboundRoute(target="queue")), carrier,
                  lambda ev: any(isinstance(e, CallQueued) for e in ev))  # fmt: skip
    escalated = _one(events, CallEscalated)
    assert (escalated.queue, escalated.reason) == ("sales", "bot_setup_failed")  # the fail-safe queue
    assert _one(events, CallQueued).call_id == escalated.call_id


def test_a_flow_route_is_answered_by_the_bot_and_its_escalation_by_an_agent(
    asterisk_server: AsteriskInstance, redis_server: RedisServer, bot_runtime, sim_agent_port: int,  # noqa: F811
    tmp_path: Path,
) -> None:  # fmt: skip
    """The caller presses 0 (the flow's "talk to a person") while the bot greets them."""
    _, runtime = bot_runtime
    agent = SippAgent("agent1", sim_agent_port, tmp_path / "agent")
    carrier = SippCarrier(asterisk_server.settings.sip_port, DID, CALLER, tmp_path / "carrier", hold_ms=60000,
                          dtmf=("0", 4000))  # fmt: skip
    route = InboundRoute(flow="order_confirmation", lead=dict(SAMPLE_LEAD), escalation_queue="support")
    agent.start()
    try:
        events = _run(asterisk_server, redis_server, _config(route), carrier,
                      lambda ev: any(isinstance(e, AgentConnected) for e in ev), conversations=runtime.conversations,
                      prompt_files=runtime.prompt_files, timeout=90)  # fmt: skip
    finally:
        agent.stop()
    started = _one(events, CallStarted)
    assert (started.direction, started.endpoint, started.flow) == ("inbound", DID, "order_confirmation")
    bot_lines = [e.text for e in events if isinstance(e, UtteranceHeard) and e.speaker == "bot"]
    assert bot_lines and "A1234" in bot_lines[0]  # the bot answered with the route's flow and lead
    escalated = _one(events, CallEscalated)
    assert (escalated.call_id, escalated.reason, escalated.queue) == (started.call_id, "human_request", "support")
    assert carrier.log_has("PRESSED")
    assert agent.answered() == [("human_request", started.call_id)]
