"""Real Asterisk, events delivered twice: a call whose answer is delivered again while it is
live, then hung up twice through ARI (the second a 404), then every event of it delivered
again, is answered once, ends once and leaves nothing live (issue 18)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from ops.simulator.scripted_bot import QuietConversation
from ops.stack.asterisk import AsteriskInstance
from pbx.api import CallAnswered, CallEnded, Event, OriginateCall
from pbx.ari.client import AriError, HttpAriRest
from pbx.ari.events import AriEvent
from pbx.calls.engine import CallEngine
from pbx.media.codec import SLIN16
from tests.realstack.harness import ari_app, wait_for_event

pytestmark = pytest.mark.realstack


def test_a_call_hung_up_twice_and_its_events_redelivered_ends_once(asterisk_server: AsteriskInstance) -> None:
    s = asterisk_server.settings
    events: list[Event] = []
    seen: list[AriEvent] = []

    async def publish(event: Event) -> None:
        events.append(event)

    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, asterisk_server.ari_url, s.ari_user, s.ari_password)
            engine = CallEngine(rest, publish, s.ari_app, lambda call: QuietConversation(), SLIN16)

            async def on_event(event: AriEvent) -> None:
                seen.append(event)
                await engine.on_event(event)

            async with ari_app(session, asterisk_server, s.ari_app, on_event):
                command = OriginateCall(endpoint="Local/customer@cc-sim", flow="scripted",
                                        variables={"__CC_SIM_DELAY": "30"})  # fmt: skip
                await engine.originate(command)
                await wait_for_event(events, lambda e: isinstance(e, CallAnswered), 20)
                await asyncio.sleep(0.5)  # the bot's media leg up
                for event in list(seen):  # the answer, delivered again while the call is live
                    await engine.on_event(event)
                await asyncio.sleep(0.5)
                app = await rest.get(f"applications/{s.ari_app}")
                media_legs = [c for c in app["channel_ids"] if not c.startswith(command.call_id)]
                assert len(media_legs) == 1, app  # one media leg, not a second one for the redelivery
                await rest.delete(f"channels/{command.call_id}")
                try:  # hung up twice: 404 once Asterisk has destroyed it, 204 while its hang-up is still under way
                    await rest.delete(f"channels/{command.call_id}")
                except AriError as gone:
                    assert gone.status == 404, gone
                await wait_for_event(events, lambda e: isinstance(e, CallEnded), 10)
                await asyncio.sleep(0.5)  # the media leg's own events
                for event in list(seen):  # every event of the call, delivered again
                    await engine.on_event(event)
                assert engine.calls == {} and engine.registry.media == {}
                # Left over in our app: nothing (a redelivered StasisStart of a gone channel is
                # handed to the fail-safe, which Asterisk answers 404, logged).
                app = await rest.get(f"applications/{s.ari_app}")
                assert app["channel_ids"] == []

    asyncio.run(go())
    kinds = {e.type for e in seen}
    assert {"StasisStart", "ChannelDestroyed"} <= kinds, kinds
    assert [type(e) for e in events].count(CallAnswered) == 1
    [ended] = [e for e in events if isinstance(e, CallEnded)]
    assert ended.outcome in ("hung_up", "confirmed")
