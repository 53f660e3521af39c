"""Reading calls back as conversations for VoiceWatch's evaluator."""

from __future__ import annotations

import dataclasses

from pbx.ledger import (
    CallOutcome,
    CallStart,
    DecisionRecord,
    Direction,
    LedgerWriter,
    ReplayQuery,
    Speaker,
    TransferRequest,
    UtteranceRecord,
    iter_calls_for_replay,
)
from tests.ledger.conftest import at


async def _finished_call(
    writer: LedgerWriter, n: int, *, outcome: CallOutcome = CallOutcome.CONFIRMED, campaign_id: int = 1
) -> str:
    call_id = f"call-{n:03d}"
    await writer.call_started(
        CallStart(
            call_id,
            Direction.OUTBOUND,
            at(n * 1_000),
            campaign_id=campaign_id,
            lead_id=n,
            flow_name="confirm",
            policy_version="p1",
            caller_number="+441000000000",
        )
    )
    # Written out of order on purpose: replay orders by start_ms.
    for uid, speaker, text, start in (
        ("u2", Speaker.CUSTOMER, "yes", 3_000),
        ("u1", Speaker.BOT, "Hello", 0),
        ("u3", Speaker.AGENT, "hi, agent here", 9_000),
    ):
        await writer.add_utterance(
            UtteranceRecord(call_id, uid, speaker, text, start_ms=start, end_ms=start + 900)
        )
    await writer.add_utterance(
        UtteranceRecord(call_id, "u4", Speaker.CUSTOMER, "and als", is_partial=True, start_ms=4_000)
    )
    await writer.add_decision(DecisionRecord(call_id, "d1", 1, False, "calm", 0.1, at(n * 1_000 + 3_900)))
    await writer.call_ended(call_id, outcome, at=at(n * 1_000 + 10_000))
    return call_id


async def test_replay_yields_ordered_conversations_with_context(writer, engine) -> None:
    call_id = await _finished_call(writer, 1)
    [call] = [c async for c in iter_calls_for_replay(engine)]
    assert (call.call_id, call.direction, call.outcome, call.lead_id) == (
        call_id,
        Direction.OUTBOUND,
        CallOutcome.CONFIRMED,
        1,
    )
    assert (call.flow_name, call.policy_version, call.started_at) == ("confirm", "p1", at(1_000))
    assert [(u.speaker, u.text) for u in call.utterances] == [
        (Speaker.BOT, "Hello"),
        (Speaker.CUSTOMER, "yes"),
    ]
    assert [(d.decision_id, d.escalate, d.reason) for d in call.decisions] == [("d1", False, "calm")]
    assert not hasattr(call, "caller_number")  # replays carry no phone numbers


async def test_partials_and_other_speakers_on_request(writer, engine) -> None:
    await _finished_call(writer, 1)
    query = ReplayQuery(include_partials=True, speakers=frozenset(Speaker))
    [call] = [c async for c in iter_calls_for_replay(engine, query)]
    assert [u.utterance_id for u in call.utterances] == ["u1", "u2", "u4", "u3"]


async def test_pages_filters_and_limit(writer, engine) -> None:
    ids = [await _finished_call(writer, n, campaign_id=1 + n % 2) for n in range(7)]
    await writer.call_started(CallStart("live", Direction.INBOUND, at(50_000)))  # not finished: skipped
    await writer.append_event("ghost", "x")  # provisional: skipped

    every = [c.call_id async for c in iter_calls_for_replay(engine, batch_size=2)]
    assert every == ids
    campaign_2 = [
        c.call_id async for c in iter_calls_for_replay(engine, ReplayQuery(campaign_id=2), batch_size=2)
    ]
    assert campaign_2 == [ids[1], ids[3], ids[5]]
    limited = [c.call_id async for c in iter_calls_for_replay(engine, ReplayQuery(limit=3), batch_size=2)]
    assert limited == ids[:3]
    window = ReplayQuery(started_from=at(2_000), started_before=at(4_000))
    assert [c.call_id async for c in iter_calls_for_replay(engine, window)] == ids[2:4]
    with_live = [c.call_id async for c in iter_calls_for_replay(engine, ReplayQuery(finished_only=False))]
    assert with_live == [*ids, "live"]


async def test_escalated_and_outcome_filters(writer, engine) -> None:
    calm = await _finished_call(writer, 1)
    angry = await _finished_call(writer, 2, outcome=CallOutcome.ESCALATED)
    await writer.transfer_requested(TransferRequest(angry, "t1", "support", at(5_000), reason="anger"))
    escalated = [c async for c in iter_calls_for_replay(engine, ReplayQuery(escalated=True))]
    assert [c.call_id for c in escalated] == [angry]
    assert [(t.queue, t.reason) for t in escalated[0].transfers] == [("support", "anger")]
    confirmed = ReplayQuery(outcomes=frozenset({CallOutcome.CONFIRMED}))
    assert [c.call_id async for c in iter_calls_for_replay(engine, confirmed)] == [calm]


async def test_replay_reads_while_a_writer_holds_the_write_lock(writer, engine) -> None:
    # Readers use deferred BEGIN: an evaluator must never stall pbx, nor wait for it.
    await _finished_call(writer, 1)
    async with engine.begin() as conn:  # BEGIN IMMEDIATE, held open
        await conn.exec_driver_sql("UPDATE ledger_calls SET agent = 'x'")
        calls = [c async for c in iter_calls_for_replay(engine)]
    assert len(calls) == 1 and calls[0].final_queue is None


def test_replay_query_is_frozen() -> None:
    assert dataclasses.is_dataclass(ReplayQuery) and ReplayQuery.__dataclass_params__.frozen  # type: ignore[attr-defined]
