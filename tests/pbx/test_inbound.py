"""Inbound routing against a scripted ARI: open or closed, holiday, queue target, no route."""

from __future__ import annotations

import datetime as dt
from datetime import date, time

import pytest

from pbx.ami_listener import AmiEvent
from pbx.api import (
    CallAnswered,
    CallbackRequested,
    CallEnded,
    CallEscalated,
    CallStarted,
    Event,
    InboundRoute,
    OpeningHours,
    OpeningWindow,
    PbxConfig,
    VoicemailLeft,
)
from pbx.ari.events import AriEvent
from pbx.calls.engine import CallEngine
from pbx.calls.inbound import STOCK_SOUNDS, next_opening
from pbx.calls.live import CallState
from pbx.media.codec import ULAW
from tests.pbx.fakes import FakeAri

# Monday to Friday, 09:00-17:00 in Kolkata; 15 August is a holiday.
HOURS = OpeningHours(timezone="Asia/Kolkata", holidays=(date(2025, 8, 15),),
                     windows=tuple(OpeningWindow(weekday=d, opens=time(9), closes=time(17)) for d in range(5)))  # fmt: skip
KOLKATA = dt.timezone(dt.timedelta(hours=5, minutes=30))
TUESDAY_NOON = dt.datetime(2025, 8, 12, 12, 0, tzinfo=KOLKATA)
TUESDAY_NIGHT = dt.datetime(2025, 8, 12, 21, 0, tzinfo=KOLKATA)
HOLIDAY_NOON = dt.datetime(2025, 8, 15, 12, 0, tzinfo=KOLKATA)  # a Friday


class VoicemailAri(FakeAri):
    """Answers Asterisk's global CC_VOICEMAIL_DIR as the rendered extensions.conf sets it."""

    async def get(self, path, **params):
        if path == "asterisk/variable" and params.get("variable") == "CC_VOICEMAIL_DIR":
            self._record("GET", path, params)
            return {"value": "/srv/cc/spool/voicemail"}
        return await super().get(path, **params)


class Bots:
    def __init__(self) -> None:
        self.started: list[str] = []

    def __call__(self, call):
        self.started.append(call.call_id)
        raise RuntimeError("no bot in this test")  # the engine hands the call to a human


def engine_at(now: dt.datetime, config: PbxConfig, events: list[Event], ari: FakeAri) -> tuple[CallEngine, Bots]:
    async def publish(event: Event) -> None:
        events.append(event)

    async def routes(did: str):
        return config.route_for(did)

    bots = Bots()
    engine = CallEngine(ari, publish, "cc", bots, ULAW, failsafe_queue="sales", inbound_routes=routes,
                        clock=lambda: now)  # fmt: skip
    return engine, bots


async def caller_arrives(engine: CallEngine, did: str = "5551234", caller: str = "+919800000009") -> str:
    await engine.on_event(AriEvent.from_json({
        "type": "StasisStart", "application": "cc", "timestamp": "", "args": ["inbound", did],
        "channel": {"id": "in-1", "caller": {"number": caller, "name": ""}},
    }))  # fmt: skip
    [call] = engine.calls.values()
    return call.call_id


def variables(ari: FakeAri) -> dict[str, str]:
    """What pbx set on the caller's channel, but the call id (set on every inbound call)."""
    found = ari.variables_set("in-1")
    found.pop("CC_CALL_ID", None)
    return found


def continued(ari: FakeAri) -> list[tuple[str, str]]:
    return [(p["context"], p["extension"]) for m, path, p in ari.requests if path == "channels/in-1/continue"]


def route(**fields) -> PbxConfig:
    return PbxConfig(version=1, inbound={"5551234": InboundRoute(hours=HOURS, campaign_id=7, **fields)})


async def test_a_queue_route_sends_the_caller_straight_to_its_queue_while_open() -> None:
    ari, events = FakeAri(), []
    engine, bots = engine_at(TUESDAY_NOON, route(target="queue", escalation_queue="support"), events, ari)
    call_id = await caller_arrives(engine)
    assert bots.started == []
    assert continued(ari) == [("cc-queue", "support")]
    assert variables(ari)["CC_ESCALATION_REASON"] == "inbound_queue"
    assert [type(e) for e in events] == [CallStarted, CallAnswered, CallEscalated]
    assert (events[0].direction, events[0].caller, events[0].campaign_id) == ("inbound", "+919800000009", 7)
    assert events[2].queue == "support" and events[2].call_id == call_id
    assert engine.inbound_waiting() == {"support": 1}


async def test_a_flow_route_is_the_bots_while_open() -> None:
    ari, events = FakeAri(), []
    engine, bots = engine_at(TUESDAY_NOON, route(flow="order_confirmation"), events, ari)
    call_id = await caller_arrives(engine)
    await ari.request_made("POST", "channels/in-1/continue")  # the bot fails in this test: to a human
    assert bots.started == [call_id]


@pytest.mark.parametrize("now", [TUESDAY_NIGHT, HOLIDAY_NOON], ids=["night", "holiday"])
@pytest.mark.parametrize("target", ["flow", "queue"])
async def test_closed_the_caller_hears_the_message_and_the_call_ends_after_hours(now, target) -> None:
    ari, events = FakeAri(), []
    config = route(target=target, flow="order_confirmation", after_hours="message")
    engine, bots = engine_at(now, config, events, ari)
    call_id = await caller_arrives(engine)
    assert bots.started == [] and continued(ari) == [("cc-inbound", "message")]
    assert variables(ari) == {"CC_AFTER_HOURS_SOUND": STOCK_SOUNDS["message"]}
    assert engine.calls[call_id].state is CallState.AFTER_HOURS
    await engine.on_ami_event(AmiEvent("Hangup", {"Uniqueid": "in-1", "Cause": "16"}, {}))
    ended = events[-1]
    assert isinstance(ended, CallEnded) and ended.outcome == "after_hours" and ended.detail == "message (closed)"
    assert engine.calls == {}


async def test_the_routes_own_sound_is_played_after_hours() -> None:
    ari, events = FakeAri(), []
    engine, _ = engine_at(TUESDAY_NIGHT, route(flow="f", after_hours_sound="custom/closed"), events, ari)
    await caller_arrives(engine)
    assert variables(ari) == {"CC_AFTER_HOURS_SOUND": "custom/closed"}


async def test_voicemail_records_into_asterisks_folder_and_says_where_when_the_line_goes_down() -> None:
    ari, events = VoicemailAri(), []
    engine, _ = engine_at(TUESDAY_NIGHT, route(flow="f", after_hours="voicemail", escalation_queue="sales"), events,
                          ari)  # fmt: skip
    call_id = await caller_arrives(engine)
    assert continued(ari) == [("cc-inbound", "voicemail")]
    assert variables(ari) == {"CC_AFTER_HOURS_SOUND": "vm-intro", "CC_VOICEMAIL_FILE": f"/srv/cc/spool/voicemail/{call_id}"}
    await engine.on_ami_event(AmiEvent("Hangup", {"Uniqueid": "in-1", "Cause": "16"}, {}))
    left, ended = events[-2:]
    assert isinstance(left, VoicemailLeft) and left.path == f"/srv/cc/spool/voicemail/{call_id}.wav"
    assert (left.caller, left.did, left.queue, left.campaign_id) == ("+919800000009", "5551234", "sales", 7)
    assert isinstance(ended, CallEnded) and ended.outcome == "after_hours" and ended.detail == "voicemail (closed)"


async def test_without_a_voicemail_folder_the_caller_still_hears_that_we_are_closed() -> None:
    ari, events = FakeAri(), []  # answers no CC_VOICEMAIL_DIR
    engine, _ = engine_at(TUESDAY_NIGHT, route(flow="f", after_hours="voicemail"), events, ari)
    await caller_arrives(engine)
    assert continued(ari) == [("cc-inbound", "message")]


async def test_a_callback_is_requested_for_when_the_business_opens() -> None:
    ari, events = FakeAri(), []
    engine, _ = engine_at(TUESDAY_NIGHT, route(flow="f", after_hours="callback"), events, ari)
    call_id = await caller_arrives(engine)
    assert continued(ari) == [("cc-inbound", "callback")]
    [request] = [e for e in events if isinstance(e, CallbackRequested)]
    assert (request.call_id, request.caller, request.did, request.campaign_id) == (call_id, "+919800000009",
                                                                                    "5551234", 7)  # fmt: skip
    assert request.opens_at == dt.datetime(2025, 8, 13, 9, 0, tzinfo=KOLKATA).timestamp()


async def test_a_did_without_a_route_or_default_reaches_a_person() -> None:
    ari, events = FakeAri(), []
    engine, bots = engine_at(TUESDAY_NIGHT, PbxConfig(version=1), events, ari)
    await caller_arrives(engine, did="5550000")
    await ari.request_made("POST", "channels/in-1/continue")
    # The bot's set-up refuses a call without a route; the fail-safe queue takes it, open or not.
    assert continued(ari) == [("cc-queue", "sales")]
    assert variables(ari)["CC_ESCALATION_REASON"] == "bot_setup_failed"


async def test_a_queue_routes_caller_nobody_answered_gets_the_after_hours_action_not_a_bot() -> None:
    ari, events = FakeAri(), []
    engine, bots = engine_at(TUESDAY_NOON, route(target="queue", after_hours="callback"), events, ari)
    await caller_arrives(engine)
    await engine.on_event(AriEvent.from_json({"type": "StasisStart", "application": "cc", "timestamp": "",
                                              "args": ["queue-returned", "support", "TIMEOUT"],
                                              "channel": {"id": "in-1"}}))  # fmt: skip
    assert bots.started == []
    assert continued(ari) == [("cc-queue", "support"), ("cc-inbound", "callback")]
    assert any(isinstance(e, CallbackRequested) for e in events)
    assert engine.inbound_waiting() == {}


def test_the_next_opening_skips_nights_weekends_and_holidays() -> None:
    assert next_opening(HOURS, TUESDAY_NOON) == TUESDAY_NOON  # open now
    assert next_opening(HOURS, TUESDAY_NIGHT) == dt.datetime(2025, 8, 13, 9, tzinfo=KOLKATA)
    thursday_night = dt.datetime(2025, 8, 14, 20, tzinfo=KOLKATA)  # Friday is a holiday: Monday
    assert next_opening(HOURS, thursday_night) == dt.datetime(2025, 8, 18, 9, tzinfo=KOLKATA)
    assert next_opening(OpeningHours(), TUESDAY_NIGHT) is None  # never open
