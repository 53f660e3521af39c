"""ARI and AMI events duplicated, out of order, for unknown channels, or malformed: the engine
raises nothing, counts no call twice and leaves no call live (issue 18)."""

from __future__ import annotations

import asyncio
import json

import pytest

from pbx.ami_listener import AmiEvent
from pbx.api import (
    AgentConnected,
    CallAnswered,
    CallEnded,
    CallLeftQueue,
    CallQueued,
    OriginateCall,
    ReturnedToBot,
)
from pbx.ari.events import AriEvent
from pbx.calls.live import CallState
from pbx.calls.queue_tracking import other_queue_activity
from tests.pbx.fakes import FakeAri
from tests.pbx.test_engine import (
    ScriptedBot,
    amd_command,
    amd_engine,
    answered_and_screened,
    ari_event,
    make_engine,
    with_the_bot,
)


def ended(events) -> list[CallEnded]:
    return [e for e in events if isinstance(e, CallEnded)]


# ------------------------------------------------------------------ ARI: duplicated


async def test_a_stasis_start_delivered_twice_answers_the_call_once() -> None:
    bot = ScriptedBot()
    engine, ari, events, command, _ = await with_the_bot(bot)
    await engine.on_event(ari_event("StasisStart", command.call_id, args=["outbound"]))
    await asyncio.sleep(0.05)
    assert len([e for e in events if isinstance(e, CallAnswered)]) == 1
    assert ari.paths("POST").count("channels/externalMedia") == 1
    assert engine.calls[command.call_id].state is CallState.WITH_BOT


async def test_a_line_destroyed_twice_then_hung_up_ends_the_call_once() -> None:
    bot = ScriptedBot()
    engine, ari, events, command, _ = await with_the_bot(bot)
    await engine.on_event(ari_event("ChannelDestroyed", command.call_id, cause=16))
    await engine.on_event(ari_event("ChannelDestroyed", command.call_id, cause=16))
    await engine.on_event(ari_event("ChannelHangupRequest", command.call_id, cause=16))
    await engine.on_event(ari_event("StasisEnd", command.call_id))
    assert [e.outcome for e in ended(events)] == ["hung_up"]
    assert engine.calls == {}


async def test_an_amd_verdict_delivered_twice_starts_the_bot_once() -> None:
    ari, events = FakeAri(), []
    engine, bots = amd_engine(ari, events)
    command = amd_command()
    await answered_and_screened(engine, ari, command, "HUMAN")
    await engine.on_event(ari_event("StasisStart", command.call_id, args=["amd", "HUMAN", "x"]))
    await asyncio.sleep(0.05)
    assert bots.started == [command.call_id]
    assert len([e for e in events if isinstance(e, CallAnswered)]) == 1


async def test_a_return_from_the_queue_delivered_twice_resumes_the_bot_once() -> None:
    bot = ScriptedBot()
    engine, ari, events, command, _ = await with_the_bot(bot)
    await engine.escalate(engine.calls[command.call_id], "support", "anger", 0.9, "angry")
    returned = ari_event("StasisStart", command.call_id, args=["queue-returned", "support", "TIMEOUT"])
    await engine.on_event(returned)
    await engine.on_event(returned)
    await asyncio.sleep(0.05)
    assert len([e for e in events if isinstance(e, ReturnedToBot)]) == 1
    assert ari.paths("POST").count("channels/externalMedia") == 2  # the first leg, and one after the return


# ------------------------------------------------------------------ ARI: out of order


async def test_the_line_going_down_while_the_bots_media_is_set_up_ends_the_call_once() -> None:
    """ChannelDestroyed before the StasisStart's work (the media leg) is done."""
    ari, events = FakeAri(), []

    async def publish(event) -> None:
        events.append(event)

    from pbx.calls.engine import CallEngine
    from pbx.media.codec import ULAW

    engine = CallEngine(ari, publish, "cc", lambda call: ScriptedBot(), ULAW)
    command = OriginateCall(endpoint="PJSIP/x@trunk", flow="f")
    await engine.originate(command)
    await engine.on_event(ari_event("StasisStart", command.call_id, args=["outbound"]))
    _, media = await ari.request_made("POST", "channels/externalMedia")
    await engine.on_event(ari_event("ChannelDestroyed", command.call_id, cause=16))
    await engine.on_event(ari_event("StasisStart", media["channelId"]))  # the media channel, too late
    await asyncio.sleep(0.05)
    assert [e.outcome for e in ended(events)] == ["hung_up"]
    assert engine.calls == {}
    assert f"channels/{media['channelId']}" in ari.paths("DELETE")  # the half-made leg is cleaned up
    assert not any(p.startswith("bridges/") and p.endswith("/addChannel") for p in ari.paths("POST"))


@pytest.mark.parametrize("kind", ["PlaybackFinished", "ChannelTalkingFinished", "ChannelTalkingStarted",
                                  "BridgeDestroyed", "NoSuchEvent", ""])  # fmt: skip
async def test_events_nobody_handles_or_for_gone_channels_change_nothing(kind) -> None:
    bot = ScriptedBot()
    engine, ari, events, command, _ = await with_the_bot(bot)
    before = (list(events), list(ari.requests))
    for channel in (command.call_id, "gone-channel"):
        await engine.on_event(ari_event(kind, channel, playback={"id": "pb-1"}, bridge={"id": "no-bridge"},
                                        duration=1200))  # fmt: skip
    assert (events, ari.requests) == before
    assert engine.calls[command.call_id].state is CallState.WITH_BOT


async def test_events_for_unknown_channels_change_nothing() -> None:
    ari, events = FakeAri(), []
    engine = make_engine(ari, events)
    for kind in ("ChannelHangupRequest", "ChannelDestroyed", "StasisEnd", "ChannelDtmfReceived"):
        await engine.on_event(ari_event(kind, "never-seen", cause=16, digit="1"))
    assert events == [] and ari.requests == []


# ------------------------------------------------------------------ ARI: malformed


MALFORMED = [
    {"type": "StasisStart"},  # no channel at all
    {"type": "StasisStart", "channel": "c-1", "args": "outbound"},  # a string where an object/list goes
    {"type": "StasisStart", "channel": {"id": None}, "args": 5},
    {"type": "ChannelDestroyed", "channel": {"id": ["x"]}, "cause": "sixteen"},
    {"type": "ChannelDestroyed", "channel": {"id": "c-2"}, "cause": float("inf")},
    {"type": "ChannelDtmfReceived", "channel": {"id": "c-3", "caller": "nobody"}, "digit": None},
    {"type": 7, "application": ["cc"], "timestamp": {}},
    {},
]


@pytest.mark.parametrize("raw", MALFORMED)
async def test_a_malformed_event_is_read_as_absent_fields_and_changes_nothing(raw) -> None:
    event = AriEvent.from_json(json.loads(json.dumps(raw)))  # as the websocket decodes it
    assert event.channel_id is None or isinstance(event.channel_id, str)
    ari, events = FakeAri(), []
    engine = make_engine(ari, events)
    await engine.on_event(event)
    assert events == [] and ari.requests == []


@pytest.mark.parametrize("raw", ["[]", '"StasisStart"', "null", "3"])
def test_an_event_that_is_not_an_object_is_a_value_error(raw) -> None:
    """What the websocket reader drops with a log line (pbx.ari.connection)."""
    with pytest.raises(ValueError, match="JSON object"):
        AriEvent.from_json(json.loads(raw))


# ------------------------------------------------------------------ AMI


def queue_event(name: str, channel: str, **fields: str) -> AmiEvent:
    return AmiEvent(name, {"Uniqueid": channel, "Queue": "support", "Channel": "PJSIP/trunk-1",
                           "Timestamp": "1790000000.1", **fields}, {"CC_CALL_ID": channel})  # fmt: skip


async def escalated_call():
    bot = ScriptedBot()
    engine, ari, events, command, _ = await with_the_bot(bot)
    await engine.escalate(engine.calls[command.call_id], "support", "anger", 0.9, "angry")
    return engine, events, command.call_id


async def test_queue_events_delivered_twice_count_the_call_once() -> None:
    engine, events, channel = await escalated_call()
    for name in ("QueueCallerJoin", "QueueCallerJoin", "AgentConnect", "AgentConnect",
                 "QueueCallerLeave", "QueueCallerLeave"):  # fmt: skip
        await engine.on_ami_event(queue_event(name, channel, MemberName="agent1"))
    assert [type(e) for e in events if isinstance(e, CallQueued | AgentConnected | CallLeftQueue)] == [
        CallQueued, AgentConnected, CallLeftQueue]
    assert engine.calls[channel].state is CallState.WITH_AGENT
    await engine.on_ami_event(queue_event("Hangup", channel, Cause="16"))
    await engine.on_ami_event(queue_event("Hangup", channel, Cause="16"))
    assert [e.outcome for e in ended(events)] == ["escalated"] and engine.calls == {}


async def test_an_agent_connect_overtaking_the_join_leaves_the_call_with_the_agent() -> None:
    engine, events, channel = await escalated_call()
    await engine.on_ami_event(queue_event("AgentConnect", channel, MemberName="agent1"))
    await engine.on_ami_event(queue_event("QueueCallerJoin", channel))
    assert engine.calls[channel].state is CallState.WITH_AGENT
    assert engine.live_counts()["queued"] == 0 and engine.live_counts()["with_agent"] == 1


GARBAGE_FIELDS = [
    {"Queue": "", "MemberName": "", "Interface": ""},
    {"Queue": "no-such-queue", "MemberName": "ghost", "Timestamp": "yesterday"},
    {"Timestamp": "nan", "Paused": "maybe", "PausedReason": "\x00" * 50, "Interface": "////"},
    {"Uniqueid": "", "Linkedid": "", "DialStatus": "ANSWER", "DestChannel": "PJSIP/"},
]


@pytest.mark.parametrize("fields", GARBAGE_FIELDS)
async def test_ami_events_for_unknown_queues_members_or_with_garbage_fields_raise_nothing(fields) -> None:
    engine, events, channel = await escalated_call()
    before = len(events)
    for name in ("QueueCallerJoin", "AgentCalled", "AgentConnect", "QueueMemberPause", "DialEnd", "Hangup", "Nonsense"):
        for unique_id in ("someone-else", ""):
            event = AmiEvent(name, {"Uniqueid": unique_id, **fields}, {"CC_CALL_ID": "", "CC_ESCALATION_REASON": "?"})
            await engine.on_ami_event(event)
            other_queue_activity(event)  # what pbx publishes for callers not its own
    assert len(events) == before and engine.calls[channel].state is CallState.ESCALATING


@pytest.mark.parametrize("raw", [
    {"Event": "QueueCallerJoin", "ChanVariable": ["CC_CALL_ID", "=x", "A=1=2"], "Position": 3},
    {"Event": "AgentConnect", "ChanVariable": None, "Queue": None},
    {"ChanVariable": "garbage"},
])  # fmt: skip
def test_an_ami_message_with_odd_fields_reads_as_strings(raw) -> None:
    event = AmiEvent.from_panoramisk(raw)
    assert all(isinstance(v, str) for v in event.fields.values())
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in event.variables.items())
    other_queue_activity(event)
