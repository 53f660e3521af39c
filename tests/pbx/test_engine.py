"""The call engine against a scripted ARI: ordering, idempotency and fail-safe paths."""

from __future__ import annotations

import pytest

from pbx.api import CallEnded, CallStarted, Event, OriginateCall
from pbx.ari.client import AriError
from pbx.ari.events import AriEvent
from pbx.calls.engine import CallEngine
from pbx.media.codec import ULAW
from tests.pbx.fakes import FakeAri


class NeverUsed:
    def __call__(self, call):
        raise AssertionError("no conversation expected in this test")


def make_engine(ari: FakeAri, events: list[Event]) -> CallEngine:
    async def publish(event: Event) -> None:
        events.append(event)

    return CallEngine(ari, publish, "cc", NeverUsed(), ULAW, failsafe_queue="support")


def ari_event(kind: str, channel_id: str, **raw) -> AriEvent:
    return AriEvent.from_json({"type": kind, "application": "cc", "timestamp": "t", "channel": {"id": channel_id}, **raw})


async def test_originate_is_idempotent_for_a_redelivered_command() -> None:
    ari, events = FakeAri(), []
    engine = make_engine(ari, events)
    command = OriginateCall(endpoint="PJSIP/+911234@trunk", flow="order_confirmation", lead={"first_name": "A"})
    await engine.originate(command)
    await engine.originate(command)
    assert ari.paths("POST") == ["channels"]
    assert [type(e) for e in events] == [CallStarted]
    [(_, _, params)] = ari.requests
    assert params["channelId"] == command.call_id and params["app"] == "cc"
    assert params["body"]["variables"]["CC_CALL_ID"] == command.call_id


@pytest.mark.parametrize(("cause", "outcome"), [(17, "busy"), (19, "no_answer"), (1, "invalid_number"), (None, "failed")])
async def test_unanswered_calls_end_with_the_right_outcome(cause, outcome) -> None:
    ari, events = FakeAri(), []
    engine = make_engine(ari, events)
    command = OriginateCall(endpoint="PJSIP/x@trunk", flow="f")
    await engine.originate(command)
    await engine.on_event(ari_event("ChannelDestroyed", command.call_id, cause=cause))
    assert isinstance(events[-1], CallEnded) and events[-1].outcome == outcome
    assert engine.calls == {}


async def test_a_refused_originate_ends_the_call_as_failed() -> None:
    ari, events = FakeAri(), []
    ari.fail[("POST", "channels")] = AriError("POST", "channels", 400, "Allocation failed")
    engine = make_engine(ari, events)
    await engine.originate(OriginateCall(endpoint="PJSIP/x@trunk", flow="f"))
    assert isinstance(events[-1], CallEnded) and events[-1].outcome == "failed" and "Allocation" in events[-1].detail


async def test_events_for_unknown_or_ended_calls_change_nothing() -> None:
    ari, events = FakeAri(), []
    engine = make_engine(ari, events)
    for kind in ("ChannelDestroyed", "StasisEnd", "ChannelDtmfReceived"):
        await engine.on_event(ari_event(kind, "nobody"))
    assert events == [] and ari.requests == []


async def test_an_unknown_caller_entering_the_app_goes_to_a_human() -> None:
    ari, events = FakeAri(), []
    engine = make_engine(ari, events)
    await engine.on_event(ari_event("StasisStart", "stray", args=["outbound"]))
    assert ("POST", "channels/stray/continue", {"context": "cc-failsafe", "extension": "s", "priority": 1}) in ari.requests


async def test_reconcile_hands_orphans_to_humans_and_drops_lost_media() -> None:
    ari, events = FakeAri(), []
    ari.app_channels = ["caller", "media", "ringing"]
    ari.app_bridges = ["old-bridge"]
    ari.channels = {
        "caller": {"id": "caller", "name": "PJSIP/trunk-1", "state": "Up"},
        "media": {"id": "media", "name": "UnicastRTP/127.0.0.1:4000-1", "state": "Up"},
        "ringing": {"id": "ringing", "name": "PJSIP/trunk-2", "state": "Ringing"},
    }
    engine = make_engine(ari, events)
    moved = await engine.reconcile()
    assert moved == ["caller"]
    assert "channels/caller/continue" in ari.paths("POST")
    assert set(ari.paths("DELETE")) == {"channels/media", "channels/ringing", "bridges/old-bridge"}


async def test_commands_for_unknown_calls_are_errors() -> None:
    from pbx.api import HangupCall

    engine = make_engine(FakeAri(), [])
    with pytest.raises(LookupError, match="no live call"):
        await engine.handle_command(HangupCall(call_id="nope"))
