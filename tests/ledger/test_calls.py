"""Call rows: round trip, repeats, facts that overtake the start, disagreements."""

from __future__ import annotations

import dataclasses

import pytest

from pbx.ledger import CallOutcome, CallStart, Direction, LedgerWriter, WriteStatus
from pbx.ledger.schema import Call, Event
from tests.ledger.conftest import T0, at
from tests.ledger.helpers import one, rows

START = CallStart(
    call_id="3f1c2a6e-0d7b-4a8e-9c55-1b2d3e4f5a60",
    direction=Direction.OUTBOUND,
    started_at=T0,
    caller_number="+442071234567",
    called_number="+447700900123",
    campaign_id=7,
    lead_id=4211,
    flow_name="order_confirmation",
    policy_version="vw-2026.03",
)


async def test_call_round_trip(writer: LedgerWriter, engine) -> None:
    assert (await writer.call_started(START)).status is WriteStatus.RECORDED
    assert (await writer.call_answered(START.call_id, at=at(4_200))).status is WriteStatus.RECORDED
    result = await writer.call_ended(
        START.call_id, CallOutcome.CONFIRMED, "Normal Clearing", cause_code=16, at=at(61_000)
    )
    assert result.status is WriteStatus.RECORDED

    call = await one(engine, Call, id=START.call_id)
    assert (call.direction, call.campaign_id, call.lead_id) == ("outbound", 7, 4211)
    assert (call.flow_name, call.policy_version) == ("order_confirmation", "vw-2026.03")
    assert (call.caller_number, call.called_number) == ("+442071234567", "+447700900123")
    assert (call.started_at, call.answered_at, call.ended_at) == (T0, at(4_200), at(61_000))
    assert call.started_at.tzinfo is not None  # aware UTC back from SQLite's naive text
    assert (call.outcome, call.hangup_cause, call.hangup_cause_code) == ("confirmed", "Normal Clearing", 16)
    assert (call.provisional, call.escalated) == (False, False)


async def test_started_twice_is_a_duplicate(writer: LedgerWriter, engine) -> None:
    await writer.call_started(START)
    assert (await writer.call_started(START)).status is WriteStatus.DUPLICATE
    assert len(await rows(engine, Call)) == 1


async def test_started_again_with_other_data_keeps_the_first_and_logs_the_attempt(writer, engine) -> None:
    await writer.call_started(START)
    result = await writer.call_started(dataclasses.replace(START, lead_id=9999))
    assert result.status is WriteStatus.CONFLICT and not result.stored
    assert (await one(engine, Call, id=START.call_id)).lead_id == 4211
    event = await one(engine, Event, call_id=START.call_id)
    assert (event.seq, event.type) == (result.seq, "ledger.conflict")
    assert event.payload["fields"] == ["lead_id"]
    assert (event.payload["kept"]["lead_id"], event.payload["rejected"]["lead_id"]) == (4211, 9999)


async def test_ended_twice_with_the_same_outcome_keeps_the_first_end(writer, engine) -> None:
    await writer.call_started(START)
    first = await writer.call_ended(START.call_id, CallOutcome.REJECTED, "Normal Clearing", at=at(30_000))
    again = await writer.call_ended(START.call_id, CallOutcome.REJECTED, "Normal Clearing", at=at(30_250))
    assert (first.status, again.status) == (WriteStatus.RECORDED, WriteStatus.DUPLICATE)
    assert (await one(engine, Call, id=START.call_id)).ended_at == at(30_000)
    assert await rows(engine, Event) == []


async def test_ended_again_with_another_outcome_is_a_conflict_that_loses_nothing(writer, engine) -> None:
    await writer.call_started(START)
    await writer.call_ended(START.call_id, CallOutcome.CONFIRMED, at=at(30_000))
    result = await writer.call_ended(START.call_id, CallOutcome.ABANDONED, at=at(31_000))
    assert result.status is WriteStatus.CONFLICT
    assert (await one(engine, Call, id=START.call_id)).outcome == "confirmed"
    event = await one(engine, Event, call_id=START.call_id, type="ledger.conflict")
    assert event.payload["write"] == "call_ended"
    assert event.payload["rejected"]["outcome"] == "abandoned"


async def test_answered_twice_is_a_duplicate(writer, engine) -> None:
    await writer.call_started(START)
    await writer.call_answered(START.call_id, at=at(1_000))
    assert (await writer.call_answered(START.call_id, at=at(1_020))).status is WriteStatus.DUPLICATE
    assert (await one(engine, Call, id=START.call_id)).answered_at == at(1_000)


async def test_facts_before_the_start_make_a_provisional_call_that_the_start_completes(
    writer, engine
) -> None:
    ended = await writer.call_ended(START.call_id, CallOutcome.HUNG_UP, "Normal Clearing", at=at(9_000))
    answered = await writer.call_answered(START.call_id, at=at(2_000))
    assert ended.status is WriteStatus.UNKNOWN_CALL and ended.stored
    assert answered.status is WriteStatus.RECORDED  # the call is known (provisionally) by now
    provisional = await one(engine, Call, id=START.call_id)
    assert (provisional.provisional, provisional.direction, provisional.outcome) == (True, None, "hung_up")

    started = await writer.call_started(START)
    assert started.status is WriteStatus.RECORDED and "provisional" in started.detail
    call = await one(engine, Call, id=START.call_id)
    assert (call.provisional, call.direction, call.lead_id) == (False, "outbound", 4211)
    # What arrived first is still there.
    assert (call.outcome, call.answered_at, call.ended_at) == ("hung_up", at(2_000), at(9_000))


async def test_default_timestamps_come_from_the_clock(writer, engine) -> None:
    await writer.call_started(START)
    await writer.call_answered(START.call_id)
    assert (await one(engine, Call, id=START.call_id)).answered_at == at(999_000)


async def test_naive_timestamps_are_refused(writer) -> None:
    with pytest.raises(Exception, match="timezone-aware"):
        await writer.call_started(dataclasses.replace(START, started_at=T0.replace(tzinfo=None)))


async def test_unknown_outcome_is_refused(writer) -> None:
    with pytest.raises(ValueError):
        await writer.call_ended(START.call_id, "maybe")  # type: ignore[arg-type]
