"""Legs, transfers to human queues (with their latency), recordings; any arrival order."""

from __future__ import annotations

from pbx.ledger import (
    CallStart,
    DecisionRecord,
    Direction,
    LedgerWriter,
    LegKind,
    LegStart,
    RecordingStart,
    TransferRequest,
    TransferResult,
    TransferStage,
    WriteStatus,
)
from pbx.ledger.schema import Call, Event, Leg, Recording, Transfer
from tests.ledger.conftest import T0, at
from tests.ledger.helpers import one, rows

CALL = "9d3f0a1b-2222-4c2d-8e9f-000000000020"


async def test_leg_round_trip_and_repeats(writer: LedgerWriter, engine) -> None:
    await writer.call_started(CallStart(CALL, Direction.OUTBOUND, T0))
    leg = LegStart(CALL, "cc-7f1e", LegKind.CUSTOMER, at(10), endpoint="PJSIP/trunk/+447700900123")
    assert (await writer.leg_started(leg)).status is WriteStatus.RECORDED
    assert (await writer.leg_started(leg)).status is WriteStatus.DUPLICATE
    ended = await writer.leg_ended(CALL, "cc-7f1e", cause="Normal Clearing", cause_code=16, at=at(60_000))
    assert ended.status is WriteStatus.RECORDED
    assert (await writer.leg_ended(CALL, "cc-7f1e", at=at(60_100))).status is WriteStatus.DUPLICATE
    row = await one(engine, Leg, channel_id="cc-7f1e")
    assert (row.kind, row.endpoint, row.started_at, row.ended_at, row.cause_code) == (
        "customer",
        "PJSIP/trunk/+447700900123",
        at(10),
        at(60_000),
        16,
    )


async def test_leg_end_before_its_start(writer, engine) -> None:
    await writer.call_started(CallStart(CALL, Direction.OUTBOUND, T0))
    assert (await writer.leg_ended(CALL, "media-1", at=at(500))).status is WriteStatus.OUT_OF_ORDER
    filled = await writer.leg_started(LegStart(CALL, "media-1", LegKind.MEDIA, at(100)))
    assert filled.status is WriteStatus.RECORDED
    row = await one(engine, Leg, channel_id="media-1")
    assert (row.kind, row.started_at, row.ended_at) == ("media", at(100), at(500))


async def test_channel_id_of_another_call_is_a_conflict(writer, engine) -> None:
    await writer.leg_started(LegStart(CALL, "chan-x", LegKind.AGENT, at(1)))
    result = await writer.leg_started(LegStart("other-call", "chan-x", LegKind.AGENT, at(2)))
    assert result.status is WriteStatus.CONFLICT
    assert (await one(engine, Leg, channel_id="chan-x")).call_id == CALL
    assert (await one(engine, Event, call_id="other-call")).payload["fields"] == ["call_id"]


async def test_escalation_in_order(writer, engine) -> None:
    await writer.call_started(CallStart(CALL, Direction.OUTBOUND, T0))
    await writer.add_decision(DecisionRecord(CALL, "d-1", 3, True, "anger", 0.9, at(20_000), queue="support"))
    request = TransferRequest(
        CALL, "t-1", "support", at(20_050), reason="anger", score=0.9, decision_id="d-1"
    )
    assert (await writer.transfer_requested(request)).status is WriteStatus.RECORDED
    assert (await writer.transfer_requested(request)).status is WriteStatus.DUPLICATE
    for stage, ms in ((TransferStage.LEFT_STASIS, 21_500), (TransferStage.QUEUE_JOINED, 21_800)):
        assert (await writer.transfer_progress(CALL, "t-1", stage, at=at(ms))).status is WriteStatus.RECORDED
    connected = await writer.transfer_progress(
        CALL, "t-1", TransferStage.AGENT_CONNECTED, at=at(27_000), agent="agent1"
    )
    assert connected.status is WriteStatus.RECORDED
    again = await writer.transfer_progress(
        CALL, "t-1", TransferStage.AGENT_CONNECTED, at=at(27_005), agent="agent1"
    )
    assert again.status is WriteStatus.DUPLICATE

    row = await one(engine, Transfer, call_id=CALL)
    assert (row.queue, row.reason, row.score, row.decision_id) == ("support", "anger", 0.9, "d-1")
    assert (row.requested_at, row.left_stasis_at, row.queue_joined_at, row.agent_connected_at) == (
        at(20_050),
        at(21_500),
        at(21_800),
        at(27_000),
    )
    assert (row.agent, row.result, row.result_at) == ("agent1", "answered", at(27_000))
    assert row.decision_to_queue_ms == 1_800  # from the decision, not the request
    call = await one(engine, Call, id=CALL)
    assert (call.escalated, call.final_queue, call.agent) == (True, "support", "agent1")

    # A result after an agent answered does not overwrite it; the attempt is kept as an event.
    late = await writer.transfer_result(CALL, "t-1", TransferResult.ABANDONED, at=at(28_000))
    assert late.status is WriteStatus.CONFLICT
    assert (await one(engine, Transfer, call_id=CALL)).result == "answered"


async def test_ami_milestones_before_the_request(writer, engine) -> None:
    # The fail-safe path, or AMI beating our own write: the row appears from AMI's facts.
    joined = await writer.transfer_progress(
        CALL, "t-9", TransferStage.QUEUE_JOINED, at=at(5_000), queue="support"
    )
    assert joined.status is WriteStatus.UNKNOWN_CALL
    row = await one(engine, Transfer, call_id=CALL)
    assert (row.queue, row.requested_at, row.decision_to_queue_ms) == ("support", None, None)
    assert (await one(engine, Call, id=CALL)).escalated is True

    request = TransferRequest(CALL, "t-9", "support", at(4_600), reason="failsafe")
    assert (await writer.transfer_requested(request)).status is WriteStatus.RECORDED
    row = await one(engine, Transfer, call_id=CALL)
    assert (row.requested_at, row.queue_joined_at, row.decision_to_queue_ms) == (at(4_600), at(5_000), 400)


async def test_queue_timeout_result(writer, engine) -> None:
    await writer.transfer_requested(TransferRequest(CALL, "t-2", "support", at(0)))
    await writer.transfer_progress(CALL, "t-2", TransferStage.QUEUE_JOINED, at=at(300))
    assert (await writer.transfer_result(CALL, "t-2", TransferResult.TIMEOUT, at=at(20_300))).status is (
        WriteStatus.RECORDED
    )
    assert (await writer.transfer_result(CALL, "t-2", TransferResult.TIMEOUT, at=at(20_400))).status is (
        WriteStatus.DUPLICATE
    )
    row = await one(engine, Transfer, call_id=CALL)
    assert (row.result, row.result_at, row.agent) == ("timeout", at(20_300), None)


async def test_final_queue_follows_the_latest_transfer(writer, engine) -> None:
    await writer.transfer_requested(TransferRequest(CALL, "t-1", "support", at(0)))
    await writer.transfer_requested(TransferRequest(CALL, "t-2", "billing", at(30_000)))
    assert (await one(engine, Call, id=CALL)).final_queue == "billing"
    assert len(await rows(engine, Transfer, call_id=CALL)) == 2


async def test_recording_round_trip(writer, engine) -> None:
    start = RecordingStart(CALL, "rec-" + CALL, "wav", at(1_000), target="bridge-1")
    assert (await writer.recording_started(start)).status is WriteStatus.UNKNOWN_CALL
    assert (await writer.recording_started(start)).status is WriteStatus.DUPLICATE
    done = await writer.recording_finished(
        CALL,
        start.name,
        format="wav",
        duration_ms=59_000,
        path="/var/spool/asterisk/recording/x.wav",
        at=at(60_000),
    )
    assert done.status is WriteStatus.RECORDED
    row = await one(engine, Recording, call_id=CALL)
    assert (row.duration_ms, row.path, row.ended_at, row.target) == (
        59_000,
        "/var/spool/asterisk/recording/x.wav",
        at(60_000),
        "bridge-1",
    )


async def test_recording_finished_before_started(writer, engine) -> None:
    await writer.call_started(CallStart(CALL, Direction.INBOUND, T0))
    done = await writer.recording_finished(CALL, "r1", format="wav", duration_ms=5, at=at(9))
    assert done.status is WriteStatus.OUT_OF_ORDER
    assert (
        await writer.recording_started(RecordingStart(CALL, "r1", "wav", at(1)))
    ).status is WriteStatus.RECORDED
    row = await one(engine, Recording, call_id=CALL)
    assert (row.started_at, row.ended_at) == (at(1), at(9))
