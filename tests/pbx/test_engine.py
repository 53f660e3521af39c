"""The call engine against a scripted ARI: ordering, idempotency and fail-safe paths."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from pbx.ami_listener import AmiEvent
from pbx.api import CallAnswered, CallEnded, CallStarted, Event, OriginateCall
from pbx.ari.client import AriError
from pbx.ari.events import AriEvent
from pbx.calls.engine import CallEngine
from pbx.media.codec import ULAW
from pbx.media.rtp import RtpEndpoint, RtpSender
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
    assert events[-1].cause == ("" if cause is None else str(cause))
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


# ------------------------------------------------------------------ answering machines


class RecordingConversations:
    """Stands in for the bot: records that it was asked for, then fails setup so the test
    can see the engine would have started it (the failure path is covered elsewhere)."""

    def __init__(self) -> None:
        self.started: list[str] = []

    def __call__(self, call):
        self.started.append(call.call_id)
        raise RuntimeError("no bot in this test")


def amd_engine(ari: FakeAri, events: list[Event], prompt_files=None) -> tuple[CallEngine, RecordingConversations]:
    async def publish(event: Event) -> None:
        events.append(event)

    bots = RecordingConversations()
    return CallEngine(ari, publish, "cc", bots, ULAW, failsafe_queue="support", prompt_files=prompt_files), bots


def amd_command(action: str = "retry", message: str = "") -> OriginateCall:
    variables = {"CC_AMD": "1", "CC_AMD_ACTION": action}
    if message:
        variables["CC_VOICEMAIL_MESSAGE"] = message
    return OriginateCall(endpoint="PJSIP/+911234@trunk", flow="order_confirmation", variables=variables)


async def answered_and_screened(engine: CallEngine, ari: FakeAri, command: OriginateCall, verdict: str) -> None:
    await engine.originate(command)
    await engine.on_event(ari_event("StasisStart", command.call_id, args=["outbound"]))
    assert ("POST", f"channels/{command.call_id}/continue",
            {"context": "cc-ai", "extension": "amd", "priority": 1}) in ari.requests  # fmt: skip
    # Leaving Stasis for AMD() must not end the call.
    await engine.on_event(ari_event("StasisEnd", command.call_id))
    assert command.call_id in engine.calls and engine.calls[command.call_id].state.value == "screening"
    await engine.on_event(ari_event("StasisStart", command.call_id, args=["amd", verdict, "LONGGREETING-2000-1500"]))


async def test_without_amd_the_answered_call_goes_straight_to_the_bot() -> None:
    ari, events = FakeAri(), []
    engine, bots = amd_engine(ari, events)
    command = OriginateCall(endpoint="PJSIP/x@trunk", flow="f", variables={"CC_AMD": "0"})
    await engine.originate(command)
    await engine.on_event(ari_event("StasisStart", command.call_id, args=["outbound"]))
    await asyncio.sleep(0.05)
    assert bots.started == [command.call_id]
    assert not any(p.endswith("/continue") and params.get("extension") == "amd" for _, p, params in ari.requests)


async def test_only_the_dialplans_variables_go_on_the_channel() -> None:
    """pbx's own settings stay in the command; the dialplan's (and the simulators') go to Asterisk."""
    ari, events = FakeAri(), []
    engine, _ = amd_engine(ari, events)
    command = OriginateCall(endpoint="PJSIP/x@trunk", flow="f", variables={
        "CC_AMD": "1", "CC_AMD_ACTION": "voicemail", "CC_VOICEMAIL_MESSAGE": "Please call us back.",
        "CC_SAFE_HARBOUR": "Sorry we missed you.", "CC_LEAD_ID": "7", "__CC_SIM_SAY": "hello"})  # fmt: skip
    await engine.originate(command)
    (_, _, params), = [r for r in ari.requests if r[:2] == ("POST", "channels")]
    assert params["body"]["variables"] == {"CC_CALL_ID": command.call_id, "CC_LEAD_ID": "7", "__CC_SIM_SAY": "hello"}
    assert engine.calls[command.call_id].screens_machines  # still read from the command


@pytest.mark.parametrize("verdict", ["HUMAN", "NOTSURE"])
async def test_a_person_or_an_unsure_verdict_gets_the_bot(verdict) -> None:
    ari, events = FakeAri(), []
    engine, bots = amd_engine(ari, events)
    command = amd_command()
    await answered_and_screened(engine, ari, command, verdict)
    await asyncio.sleep(0.05)
    assert bots.started == [command.call_id]
    answered = [e for e in events if isinstance(e, CallAnswered)]
    assert len(answered) == 1 and answered[0].amd == verdict


async def test_a_machine_is_hung_up_and_retried_when_the_campaign_leaves_no_message() -> None:
    ari, events = FakeAri(), []
    engine, bots = amd_engine(ari, events)
    command = amd_command("retry")
    await answered_and_screened(engine, ari, command, "MACHINE")
    assert bots.started == [] and f"channels/{command.call_id}" in ari.paths("DELETE")
    assert not any(isinstance(e, CallAnswered) for e in events)
    ended = events[-1]
    assert isinstance(ended, CallEnded) and ended.outcome == "voicemail" and "no message" in ended.detail
    assert engine.calls == {}


async def test_a_machine_gets_the_voicemail_message_then_the_call_ends_as_voicemail() -> None:
    ari, events = FakeAri(), []
    made: list[tuple[str, str]] = []

    async def prompt_files(name: str, text: str) -> str:
        made.append((name, text))
        return f"/media/{name}"

    engine, bots = amd_engine(ari, events, prompt_files)
    command = amd_command("voicemail", "Hello, this is Shopkart about your order.")
    await answered_and_screened(engine, ari, command, "MACHINE")
    assert made == [(f"voicemail-{command.call_id}", "Hello, this is Shopkart about your order.")]
    assert ("POST", f"channels/{command.call_id}/variable",
            {"variable": "CC_VOICEMAIL_FILE", "value": f"/media/voicemail-{command.call_id}"}) in ari.requests  # fmt: skip
    assert ari.requests[-1] == ("POST", f"channels/{command.call_id}/continue",
                                {"context": "cc-ai", "extension": "voicemail", "priority": 1})  # fmt: skip
    await engine.on_event(ari_event("StasisEnd", command.call_id))
    assert command.call_id in engine.calls  # still playing the message
    # Out of Stasis, AMI is the reliable word that the line went down.
    await engine.on_ami_event(AmiEvent("Hangup", {"Uniqueid": command.call_id, "Cause": "16"}, {}))
    ended = events[-1]
    assert isinstance(ended, CallEnded) and ended.outcome == "voicemail" and ended.detail.endswith("message left")
    assert bots.started == []


async def test_a_voicemail_message_that_cannot_be_synthesised_still_ends_the_call_cleanly() -> None:
    ari, events = FakeAri(), []

    async def broken(name: str, text: str) -> str:
        raise RuntimeError("tts down")

    engine, _ = amd_engine(ari, events, broken)
    command = amd_command("voicemail", "Please call us back.")
    await answered_and_screened(engine, ari, command, "MACHINE")
    assert f"channels/{command.call_id}" in ari.paths("DELETE")
    assert isinstance(events[-1], CallEnded) and events[-1].outcome == "voicemail"


async def test_hanging_up_during_detection_is_a_hang_up_not_a_no_answer() -> None:
    ari, events = FakeAri(), []
    engine, _ = amd_engine(ari, events)
    command = amd_command()
    await engine.originate(command)
    await engine.on_event(ari_event("StasisStart", command.call_id, args=["outbound"]))
    await engine.on_event(ari_event("ChannelDestroyed", command.call_id, cause=16))
    assert isinstance(events[-1], CallEnded) and events[-1].outcome == "hung_up"
    assert "answering-machine" in events[-1].detail


async def test_the_answer_is_timed_by_asterisk_not_by_when_pbx_got_to_it() -> None:
    ari, events = FakeAri(), []
    engine, _ = amd_engine(ari, events)
    command = OriginateCall(endpoint="PJSIP/x@trunk", flow="f")
    await engine.originate(command)
    await engine.on_event(AriEvent.from_json({"type": "StasisStart", "application": "cc", "args": ["outbound"],
                                              "timestamp": "2026-11-25T16:40:00.123+0000",
                                              "channel": {"id": command.call_id}}))  # fmt: skip
    [answered] = [e for e in events if isinstance(e, CallAnswered)]
    assert answered.at == pytest.approx(1795624800.123)


def test_an_ari_timestamp_is_read_or_left_unknown() -> None:
    assert ari_event("StasisStart", "c").at is None  # "t": not a time
    event = AriEvent.from_json({"type": "X", "application": "cc", "timestamp": "2026-11-25T22:10:00.5+0530"})
    assert event.at == pytest.approx(1795624800.5)


# ------------------------------------------------------------------ the handler table, the bot's call


def test_the_ari_event_filter_is_the_handler_tables_keys() -> None:
    engine = make_engine(FakeAri(), [])
    assert engine.handled_event_types() == (
        "ChannelDestroyed", "ChannelDtmfReceived", "ChannelHangupRequest", "StasisEnd", "StasisStart",
    )  # fmt: skip


class ScriptedBot:
    """A conversation that records what reaches it and hangs up when told to."""

    def __init__(self, hangup: tuple[str, str] | None = None) -> None:
        self.io = None
        self.frames: list[np.ndarray] = []
        self.digits: list[str] = []
        self.heard_audio = asyncio.Event()
        self._hangup = hangup

    async def start(self, io) -> None:
        self.io = io
        if self._hangup is not None:
            await io.hangup(*self._hangup)

    def on_audio(self, samples: np.ndarray) -> None:
        self.frames.append(samples)
        if samples.any():  # not the silence the line's clock fills gaps with
            self.heard_audio.set()

    def on_dtmf(self, digit: str) -> None:
        self.digits.append(digit)

    async def on_queue_timeout(self, queue: str, status: str) -> None: ...

    @property
    def outcome(self) -> tuple[str, str]:
        return ("", "")  # says nothing: what the call ends with must come from the hang-up

    async def close(self) -> None: ...


async def with_the_bot(bot: ScriptedBot) -> tuple[CallEngine, FakeAri, list[Event], OriginateCall, RtpEndpoint]:
    """An answered call whose bot is connected through a media leg (its RTP endpoint is real, on localhost)."""
    ari, events = FakeAri(), []

    async def publish(event: Event) -> None:
        events.append(event)

    engine = CallEngine(ari, publish, "cc", lambda call: bot, ULAW)
    command = OriginateCall(endpoint="PJSIP/x@trunk", flow="f")
    await engine.originate(command)
    await engine.on_event(ari_event("StasisStart", command.call_id, args=["outbound"]))
    _, media = await ari.request_made("POST", "channels/externalMedia")
    await engine.on_event(ari_event("StasisStart", media["channelId"]))  # the media channel is up: bridged
    await ari.request_made("POST", "bridges/")
    [leg] = engine.registry.media.values()
    return engine, ari, events, command, leg.rtp


async def test_the_bots_hang_up_outcome_is_the_calls_outcome() -> None:
    bot = ScriptedBot(hangup=("callback", "asked to be called tomorrow"))
    engine, ari, events, command, _ = await with_the_bot(bot)
    await ari.request_made("DELETE", f"channels/{command.call_id}")
    await engine.on_event(ari_event("StasisEnd", command.call_id))
    ended = events[-1]
    assert isinstance(ended, CallEnded) and (ended.outcome, ended.detail) == ("callback", "asked to be called tomorrow")
    assert engine.calls == {}


async def test_the_caller_reaches_the_bot_as_20_ms_numpy_frames_and_digits() -> None:
    bot = ScriptedBot()
    engine, ari, events, command, rtp = await with_the_bot(bot)
    caller = RtpSender(ULAW.payload_type, 80)
    packet = caller.packet(ULAW.encode(np.full(80, 1000, dtype=np.int16)))  # 10 ms packets: reframed to 20 ms
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        asyncio.DatagramProtocol, remote_addr=rtp.local_address)  # fmt: skip
    try:
        transport.sendto(packet)
        transport.sendto(packet)
        await asyncio.wait_for(bot.heard_audio.wait(), 5)
    finally:
        transport.close()
    assert all(isinstance(f, np.ndarray) and f.dtype == np.int16 and len(f) == 160 for f in bot.frames)
    [frame] = [f for f in bot.frames if f.any()]
    assert abs(int(frame.mean()) - 1000) < 40  # ulaw's step at this level
    await engine.on_event(AriEvent.from_json({"type": "ChannelDtmfReceived", "application": "cc", "timestamp": "t",
                                              "digit": "5", "channel": {"id": command.call_id}}))  # fmt: skip
    assert bot.digits == ["5"]
    await engine.on_event(ari_event("ChannelDestroyed", command.call_id, cause=16))
    assert isinstance(events[-1], CallEnded) and events[-1].outcome == "hung_up"
