"""Utterances (partials then final) and VoiceWatch decisions."""

from __future__ import annotations

import dataclasses

from pbx.ledger import DecisionRecord, LedgerWriter, Speaker, UtteranceRecord, Word, WriteStatus
from pbx.ledger.schema import Decision, Event, Utterance
from tests.ledger.conftest import at
from tests.ledger.helpers import one

CALL = "5b7e0c3a-1111-4c2d-8e9f-000000000010"

FINAL = UtteranceRecord(
    call_id=CALL,
    utterance_id="u-3",
    speaker=Speaker.CUSTOMER,
    text="no that is not what I ordered at all",
    turn_index=2,
    asr_confidence=0.91,
    asr_engine="faster-whisper:tiny.en",
    words=(Word("no", 12_000, 12_180, 0.97), Word("that", 12_200, 12_400, 0.95)),
    start_ms=12_000,
    end_ms=14_900,
    sentiment=-0.62,
    prosody={"pitch_hz": 212.0, "energy_db": -18.5, "rate_wps": 3.4},
)


async def test_utterance_round_trip(writer: LedgerWriter, engine) -> None:
    assert (await writer.add_utterance(FINAL)).status is WriteStatus.UNKNOWN_CALL
    row = await one(engine, Utterance, call_id=CALL)
    assert (row.speaker, row.text, row.is_partial, row.turn_index) == ("customer", FINAL.text, False, 2)
    assert (row.start_ms, row.end_ms, row.asr_confidence, row.sentiment) == (12_000, 14_900, 0.91, -0.62)
    assert row.words[0] == {"text": "no", "start_ms": 12_000, "end_ms": 12_180, "confidence": 0.97}
    assert row.prosody == {"pitch_hz": 212.0, "energy_db": -18.5, "rate_wps": 3.4}


async def test_partials_are_replaced_by_the_final_and_a_late_partial_is_stale(writer, engine) -> None:
    partial = dataclasses.replace(FINAL, text="no that is", is_partial=True, end_ms=None, words=())
    assert (await writer.add_utterance(partial)).status is WriteStatus.UNKNOWN_CALL
    longer = dataclasses.replace(partial, text="no that is not what")
    assert (await writer.add_utterance(longer)).status is WriteStatus.RECORDED
    assert (await one(engine, Utterance, call_id=CALL)).text == "no that is not what"

    assert (await writer.add_utterance(FINAL)).status is WriteStatus.RECORDED
    late = await writer.add_utterance(longer)
    assert late.status is WriteStatus.STALE and not late.stored
    row = await one(engine, Utterance, call_id=CALL)
    assert (row.text, row.is_partial) == (FINAL.text, False)


async def test_final_repeated_is_a_duplicate_and_a_different_final_a_conflict(writer, engine) -> None:
    await writer.add_utterance(FINAL)
    assert (await writer.add_utterance(FINAL)).status is WriteStatus.DUPLICATE
    result = await writer.add_utterance(dataclasses.replace(FINAL, text="no that's not what I ordered"))
    assert result.status is WriteStatus.CONFLICT
    assert (await one(engine, Utterance, call_id=CALL)).text == FINAL.text
    event = await one(engine, Event, call_id=CALL)
    assert event.payload["rejected"]["text"] == "no that's not what I ordered"


DECISION = DecisionRecord(
    call_id=CALL,
    decision_id="d-7",
    turn_index=2,
    escalate=True,
    reason="negative sentiment rising over two turns",
    score=0.83,
    at=at(13_100),
    queue="support",
    signals={"sentiment": -0.62, "sentiment_slope": -0.4, "asr_blind": False},
    policy_version="vw-2026.03",
    utterance_id="u-3",
    on_partial=True,
)


async def test_decision_round_trip_and_repeat(writer, engine) -> None:
    assert (await writer.add_decision(DECISION)).status is WriteStatus.UNKNOWN_CALL
    assert (await writer.add_decision(DECISION)).status is WriteStatus.DUPLICATE
    row = await one(engine, Decision, call_id=CALL)
    assert (row.escalate, row.score, row.queue, row.at, row.on_partial) == (
        True,
        0.83,
        "support",
        at(13_100),
        True,
    )
    assert row.signals["sentiment_slope"] == -0.4


async def test_decision_with_same_id_but_other_verdict_is_a_conflict(writer, engine) -> None:
    await writer.add_decision(DECISION)
    result = await writer.add_decision(dataclasses.replace(DECISION, escalate=False))
    assert result.status is WriteStatus.CONFLICT
    assert (await one(engine, Decision, call_id=CALL)).escalate is True
