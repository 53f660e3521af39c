from __future__ import annotations

import json

import pytest

from pbx.api import (
    AgentConnected,
    AgentStateChanged,
    CallEnded,
    CallLeftQueue,
    CallQueued,
    LiveCounts,
    OriginateCall,
    QueueAbandoned,
    ReturnedToBot,
    SchemaError,
    parse_command,
    parse_event,
    to_fields,
)


def test_commands_round_trip_through_stream_fields() -> None:
    command = OriginateCall(endpoint="PJSIP/+91@trunk", flow="order_confirmation", lead={"order_id": "A1"})
    assert parse_command(to_fields(command)) == command
    assert parse_command({k.encode(): v.encode() for k, v in to_fields(command).items()}) == command


def test_events_round_trip() -> None:
    event = CallEnded(call_id="c1", outcome="confirmed")
    assert parse_event(to_fields(event)) == event


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"v": "9", "type": "originate", "data": "{}"}, "schema version '9'"),
        ({"v": "1", "type": "originate", "data": "{nope"}, "not JSON"),
        ({"v": "1", "type": "originate", "data": json.dumps({"type": "originate", "flow": "f"})}, "endpoint"),
        ({"v": "1", "type": "x", "data": json.dumps({"type": "dance"})}, "type"),
        ({"v": "1", "type": "originate", "data": json.dumps({"type": "originate", "endpoint": "PJSIP/x",
                                                               "flow": "f", "timeout_s": 1})}, "timeout_s"),
    ],
)
def test_bad_commands_name_the_problem(fields, message) -> None:
    with pytest.raises(SchemaError, match=message):
        parse_command(fields)


def test_an_unknown_outcome_is_refused_at_the_boundary_not_stored_as_something_else() -> None:
    fields = to_fields(CallEnded(call_id="c1", outcome="confirmed"))
    fields["data"] = fields["data"].replace('"confirmed"', '"completed"')
    with pytest.raises(SchemaError, match="outcome"):
        parse_event(fields)


def test_escalation_reasons_are_voicewatchs_and_pbxs_own() -> None:
    from pbx.api import EscalationReason, HandoverReason
    from voicewatch import REASONS

    assert {r.value for r in EscalationReason} == set(REASONS) | {r.value for r in HandoverReason}
    with pytest.raises(SchemaError, match="reason"):
        parse_event({**to_fields(CallEnded(call_id="c", outcome="escalated")), "data": json.dumps(
            {"type": "call.escalated", "call_id": "c", "queue": "support", "reason": "felt like it"})})


@pytest.mark.parametrize("event", [
    CallQueued(call_id="c", transfer_id="t", queue="support", reason="anger", wait_s=0.2, transfer_s=0.01),
    AgentConnected(call_id="c", transfer_id="t", queue="support", agent="agent1"),
    QueueAbandoned(channel="PJSIP/trunk-0001", queue="support"),
    CallLeftQueue(call_id="c", queue="support"),
    ReturnedToBot(call_id="c", transfer_id="t", queue="support", status="TIMEOUT"),
    AgentStateChanged(agent="agent1", state="on_call", queue="support"),
], ids=lambda e: e.type)
def test_queue_activity_leaves_pbx_as_domain_events(event) -> None:
    assert parse_event(to_fields(event)) == event


def test_live_counts_round_trip_through_the_redis_hash() -> None:
    counts = LiveCounts(dialing=1, screening=1, leaving_message=0, with_bot=3, escalating=1, queued=2,
                        with_agent=1, updated_at=1_790_000_000.5)  # fmt: skip
    stored = {k.encode(): v.encode() for k, v in counts.to_hash().items()}
    assert LiveCounts.from_hash(stored) == counts
    assert counts.ai_calls == 5 and stored[b"ai_calls"] == b"5"


def test_live_counts_missing_a_state_are_refused_rather_than_read_as_zero() -> None:
    # A renamed state in pbx ("with_bot" -> "bot") must not let the dialer think AI lines are free.
    stored = LiveCounts(dialing=0, screening=0, leaving_message=0, with_bot=4, escalating=0, queued=0,
                        with_agent=0, updated_at=1.0).to_hash()  # fmt: skip
    stored["bot"] = stored.pop("with_bot")
    with pytest.raises(SchemaError, match="with_bot"):
        LiveCounts.from_hash(stored)


def test_inbound_waiting_round_trips_and_refuses_a_negative_count() -> None:
    from pbx.api import InboundWaiting

    waiting = InboundWaiting(queues={"support": 2, "sales.eu": 1}, updated_at=1_790_000_000.5)
    stored = {k.encode(): v.encode() for k, v in waiting.to_hash().items()}
    assert InboundWaiting.from_hash(stored) == waiting
    with pytest.raises(SchemaError, match="support"):
        InboundWaiting.from_hash({"queue:support": "-1", "updated_at": "1"})


def test_the_flow_catalogue_names_each_flows_required_fields() -> None:
    from pbx.api import FlowName, required_fields

    assert required_fields(FlowName.ORDER_CONFIRMATION) == ("amount", "first_name", "item", "order_id")
    assert required_fields("no_such_flow") == ()
