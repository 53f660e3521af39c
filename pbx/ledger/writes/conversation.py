"""What was said (utterances) and what VoiceWatch concluded from it (decisions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pbx.ledger.enums import Speaker, WriteStatus
from pbx.ledger.records import DecisionRecord, UtteranceRecord, WriteResult
from pbx.ledger.schema import Decision, Utterance
from pbx.ledger.types import utcnow
from pbx.ledger.writes.common import (
    conflict,
    differing,
    ensure_call,
    insert_new,
    new_fact_status,
    stored_values,
)

utterances: Table = Utterance.__table__  # type: ignore[assignment]
decisions: Table = Decision.__table__  # type: ignore[assignment]


def _utterance_values(rec: UtteranceRecord) -> dict[str, Any]:
    words = [
        {"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms, "confidence": w.confidence}
        for w in rec.words
    ]
    return {
        "speaker": Speaker(rec.speaker).value,
        "text": rec.text,
        "is_partial": rec.is_partial,
        "turn_index": rec.turn_index,
        "asr_confidence": rec.asr_confidence,
        "asr_engine": rec.asr_engine,
        "words": words or None,
        "start_ms": rec.start_ms,
        "end_ms": rec.end_ms,
        "sentiment": rec.sentiment,
        "prosody": dict(rec.prosody) if rec.prosody is not None else None,
    }


async def utterance(conn: AsyncConnection, rec: UtteranceRecord) -> WriteResult:
    unknown = await ensure_call(conn, rec.call_id)
    values = _utterance_values(rec)
    key = (utterances.c.call_id == rec.call_id) & (utterances.c.utterance_id == rec.utterance_id)
    if await insert_new(
        conn, utterances, {"call_id": rec.call_id, "utterance_id": rec.utterance_id, **values}
    ):
        return WriteResult(new_fact_status(unknown), rec.call_id)
    # Partials replace each other until the final; the guard makes "still partial?" and the
    # write one statement, so a final can never be overwritten by a late partial.
    replaced = await conn.execute(
        update(utterances).where(key, utterances.c.is_partial.is_(True)).values(**values)
    )
    if replaced.rowcount:
        return WriteResult(WriteStatus.RECORDED, rec.call_id)
    if rec.is_partial:
        return WriteResult(WriteStatus.STALE, rec.call_id, detail="the final transcript is already stored")
    stored = await stored_values(conn, utterances, key, values)
    if fields := differing(stored, values, ("speaker", "text", "start_ms", "end_ms")):
        return await conflict(conn, rec.call_id, "add_utterance", stored, values, fields, utcnow())
    return WriteResult(WriteStatus.DUPLICATE, rec.call_id)


def _decision_values(rec: DecisionRecord) -> dict[str, Any]:
    return {
        "turn_index": rec.turn_index,
        "utterance_id": rec.utterance_id,
        "on_partial": rec.on_partial,
        "escalate": rec.escalate,
        "reason": rec.reason,
        "score": rec.score,
        "queue": rec.queue,
        "signals": dict(rec.signals),
        "policy_version": rec.policy_version,
        "at": rec.at,
    }


async def decision(conn: AsyncConnection, rec: DecisionRecord) -> WriteResult:
    unknown = await ensure_call(conn, rec.call_id)
    values = _decision_values(rec)
    if await insert_new(conn, decisions, {"call_id": rec.call_id, "decision_id": rec.decision_id, **values}):
        return WriteResult(new_fact_status(unknown), rec.call_id)
    key = (decisions.c.call_id == rec.call_id) & (decisions.c.decision_id == rec.decision_id)
    stored = await stored_values(conn, decisions, key, values)
    if fields := differing(stored, values, ("turn_index", "escalate", "reason", "score", "queue")):
        return await conflict(conn, rec.call_id, "add_decision", stored, values, fields, rec.at)
    return WriteResult(WriteStatus.DUPLICATE, rec.call_id)
