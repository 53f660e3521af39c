"""Asterisk restarted under pbx: the calls it lost end once, with what they had come to, and
pbx says it is healthy only once its connect handling is done."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from pbx.api import CallEnded, CallOutcome, Event, OriginateCall
from pbx.ari.connection import AriEventStream
from pbx.backoff import Backoff
from pbx.calls.engine import CallEngine
from pbx.calls.live import CallState, Transfer
from pbx.calls.reconcile import LOST_CAUSE
from pbx.media.codec import ULAW
from pbx.service import PbxService
from pbx.settings import PbxSettings
from tests.pbx.fakes import FakeAri
from tests.pbx.test_engine import NeverUsed


class ScriptedOutcome:
    def __init__(self, outcome: str = "", detail: str = "") -> None:
        self.outcome = (outcome, detail)

    async def close(self) -> None: ...


async def engine_with_calls(ari: FakeAri, events: list[Event], states: dict[str, CallState]) -> CallEngine:
    """An engine holding one outbound call per name, put in the given state."""

    async def publish(event: Event) -> None:
        events.append(event)

    engine = CallEngine(ari, publish, "cc", NeverUsed(), ULAW)
    for name, state in states.items():
        await engine.originate(OriginateCall(call_id=name, endpoint="PJSIP/x@trunk", flow="f"))
        call = engine.calls[name]
        call.state = state
        if state is not CallState.DIALING:
            call.answered_at = 1.0
        if state in (CallState.ESCALATING, CallState.QUEUED, CallState.WITH_AGENT):
            call.transfer = Transfer("t-" + name, "support", "anger", 0.9, 1.0, 1.0)
    return engine


def ended(events: list[Event]) -> dict[str, CallEnded]:
    found: dict[str, CallEnded] = {}
    for event in events:
        if isinstance(event, CallEnded):
            assert event.call_id not in found, f"{event.call_id} ended twice"
            found[event.call_id] = event
    return found


async def test_calls_asterisk_lost_end_once_with_what_they_had_come_to() -> None:
    ari, events = FakeAri(), []
    engine = await engine_with_calls(ari, events, {
        "ringing": CallState.DIALING, "bot": CallState.WITH_BOT, "bot2": CallState.WITH_BOT,
        "escalating": CallState.ESCALATING, "queued": CallState.QUEUED, "agent": CallState.WITH_AGENT,
        "amd": CallState.SCREENING, "machine": CallState.LEAVING_MESSAGE, "alive": CallState.WITH_BOT,
    })  # fmt: skip
    engine.calls["bot2"].conversation = ScriptedOutcome("confirmed", "confirmed the order")
    ari.channels = {"alive": {"id": "alive", "name": "PJSIP/trunk-1", "state": "Up"}}  # Asterisk restarted

    lost = await engine.end_lost_calls()
    assert await engine.end_lost_calls() == []  # a second reconnect ends nothing twice

    outcomes = {call_id: (e.outcome, e.cause) for call_id, e in ended(events).items()}
    assert set(lost) == set(outcomes) == {"ringing", "bot", "bot2", "escalating", "queued", "agent", "amd", "machine"}
    assert {call_id: outcome for call_id, (outcome, _) in outcomes.items()} == {
        "ringing": CallOutcome.FAILED,  # never reached: the retry rules call again
        "amd": CallOutcome.FAILED,
        "bot": CallOutcome.DROPPED,  # reached: never re-dialled by itself
        "escalating": CallOutcome.DROPPED, "queued": CallOutcome.DROPPED, "agent": CallOutcome.DROPPED,
        "bot2": CallOutcome.CONFIRMED,  # the bot had its result before the line was cut
        "machine": CallOutcome.VOICEMAIL,
    }  # fmt: skip
    assert {cause for _, cause in outcomes.values()} == {LOST_CAUSE}
    assert "for support" in ended(events)["queued"].detail
    counts = engine.live_counts()
    assert counts["with_bot"] == 1 and sum(v for k, v in counts.items() if k != "ai_calls_at_risk") == 1


async def test_a_call_being_originated_is_not_taken_for_lost() -> None:
    ari, events = FakeAri(), []
    release = asyncio.Event()
    original_post = ari.post

    async def slow_post(path, body=None, **params):
        if path == "channels":
            await release.wait()
        return await original_post(path, body, **params)

    ari.post = slow_post
    engine = CallEngine(ari, lambda e: _append(events, e), "cc", NeverUsed(), ULAW)
    originate = asyncio.create_task(engine.originate(OriginateCall(call_id="new", endpoint="PJSIP/x@trunk", flow="f")))
    await asyncio.sleep(0.01)
    assert await engine.end_lost_calls() == []  # its channel does not exist yet
    release.set()
    await originate
    assert "new" in engine.calls and not ended(events)


async def _append(events: list[Event], event: Event) -> None:
    events.append(event)


async def test_an_originate_while_asterisk_is_down_ends_as_failed_not_live_forever() -> None:
    ari, events = FakeAri(), []

    async def refused(path, body=None, **params):
        raise aiohttp.ClientConnectionError("Cannot connect to host 127.0.0.1:8088")

    ari.post = refused
    engine = CallEngine(ari, lambda e: _append(events, e), "cc", NeverUsed(), ULAW)
    await engine.originate(OriginateCall(call_id="c", endpoint="PJSIP/x@trunk", flow="f"))
    [end] = ended(events).values()
    assert (end.outcome, end.cause) == (CallOutcome.FAILED, "asterisk_unreachable") and engine.calls == {}


def _settings(ari_url: str) -> PbxSettings:
    return PbxSettings(ari_url=ari_url, ari_user="u", ari_password="p", ami_user="u", ami_secret="s",
                       reconnect_min_s=0.05, reconnect_max_s=0.1)  # fmt: skip


async def test_health_is_ok_only_once_the_connect_handling_is_done() -> None:
    async with aiohttp.ClientSession() as session:
        service = PbxService(_settings("http://127.0.0.1:9/ari"), session, redis=None, conversations=NeverUsed())
        service.events.connected = True
        service.ami.logged_in = True  # type: ignore[misc]
        assert service.report()["ok"] is False  # connected, but the filter and lost calls not handled yet
        service.ari_ready.set()
        assert service.report()["ok"] is True
        service.on_ari_disconnect()
        assert service.report()["ok"] is False


@pytest.fixture
async def ari_websocket():
    """A websocket endpoint standing in for ARI's /events; counts the connections."""
    connections: list[web.WebSocketResponse] = []

    async def events(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        connections.append(ws)
        async for _ in ws:
            pass
        return ws

    app = web.Application()
    app.router.add_get("/ari/events", events)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/ari", connections
    await runner.cleanup()


async def test_a_failed_connect_handling_reconnects_instead_of_stopping_pbx(ari_websocket) -> None:
    url, connections = ari_websocket
    handled, disconnects = [], []

    async def on_connect() -> None:
        handled.append(len(connections))
        if len(handled) == 1:
            raise RuntimeError("ARI answered 503 while Asterisk starts")

    async with aiohttp.ClientSession() as session:
        stream = AriEventStream(session, url, "u", "p", "cc", Backoff(0.05, 0.1))
        task = asyncio.create_task(stream.run(_ignore, on_connect, lambda: disconnects.append(1)))
        async with asyncio.timeout(5):
            while len(handled) < 2:
                await asyncio.sleep(0.01)
        assert stream.connected and stream.reconnects == 1 and disconnects == [1]
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def _ignore(event) -> None: ...
