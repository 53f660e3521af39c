"""Read finished calls back as conversations, for VoiceWatch's evaluator to replay.

Streams in keyset pages (started_at, id) with one short read transaction per page, so a
large replay never holds SQLite's snapshot (or a PostgreSQL transaction) open for long and
never loads the whole ledger. Phone numbers are left out on purpose: replays are shared
with evaluators and do not need them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlalchemy import Select, Table, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from pbx.ledger.db import reader
from pbx.ledger.enums import CallOutcome, Direction, Speaker
from pbx.ledger.records import Word
from pbx.ledger.schema import Call, Decision, Transfer, Utterance

calls: Table = Call.__table__  # type: ignore[assignment]
utterances: Table = Utterance.__table__  # type: ignore[assignment]
decisions: Table = Decision.__table__  # type: ignore[assignment]
transfers: Table = Transfer.__table__  # type: ignore[assignment]

T = TypeVar("T")


@dataclass(frozen=True)
class ReplayUtterance:
    utterance_id: str
    speaker: Speaker
    text: str
    start_ms: int | None
    end_ms: int | None
    turn_index: int | None
    asr_confidence: float | None
    sentiment: float | None
    prosody: dict[str, Any] | None
    words: tuple[Word, ...]
    is_partial: bool


@dataclass(frozen=True)
class ReplayDecision:
    """What the live policy decided, to compare a new policy's decisions against."""

    decision_id: str
    turn_index: int
    utterance_id: str | None
    on_partial: bool
    escalate: bool
    reason: str
    score: float
    queue: str | None
    policy_version: str | None
    at: dt.datetime
    signals: dict[str, Any]


@dataclass(frozen=True)
class ReplayTransfer:
    transfer_id: str
    queue: str | None
    reason: str | None
    result: str | None
    decision_to_queue_ms: int | None


@dataclass(frozen=True)
class ReplayCall:
    call_id: str
    direction: Direction
    campaign_id: int | None
    lead_id: int | None
    flow_name: str | None
    policy_version: str | None
    started_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    outcome: CallOutcome | None
    hangup_cause: str | None
    escalated: bool
    final_queue: str | None
    utterances: tuple[ReplayUtterance, ...]  # ordered by start_ms
    decisions: tuple[ReplayDecision, ...]  # ordered by decision time
    transfers: tuple[ReplayTransfer, ...]


@dataclass(frozen=True)
class ReplayQuery:
    started_from: dt.datetime | None = None  # inclusive
    started_before: dt.datetime | None = None  # exclusive
    campaign_id: int | None = None
    outcomes: frozenset[CallOutcome] | None = None
    escalated: bool | None = None
    policy_version: str | None = None
    finished_only: bool = True  # a live call's conversation is not over yet
    speakers: frozenset[Speaker] = frozenset({Speaker.CUSTOMER, Speaker.BOT})
    include_partials: bool = False
    limit: int | None = None


def _calls_page(query: ReplayQuery, after: tuple[dt.datetime, str] | None, size: int) -> Select[Any]:
    stmt = select(calls).where(calls.c.provisional.is_(False), calls.c.started_at.is_not(None))
    if query.started_from is not None:
        stmt = stmt.where(calls.c.started_at >= query.started_from)
    if query.started_before is not None:
        stmt = stmt.where(calls.c.started_at < query.started_before)
    if query.campaign_id is not None:
        stmt = stmt.where(calls.c.campaign_id == query.campaign_id)
    if query.outcomes is not None:
        stmt = stmt.where(calls.c.outcome.in_([CallOutcome(o).value for o in query.outcomes]))
    if query.escalated is not None:
        stmt = stmt.where(calls.c.escalated.is_(query.escalated))
    if query.policy_version is not None:
        stmt = stmt.where(calls.c.policy_version == query.policy_version)
    if query.finished_only:
        stmt = stmt.where(calls.c.ended_at.is_not(None))
    if after is not None:
        at, call_id = after
        stmt = stmt.where(or_(calls.c.started_at > at, and_(calls.c.started_at == at, calls.c.id > call_id)))
    return stmt.order_by(calls.c.started_at, calls.c.id).limit(size)


def _from_row(cls: type[T], row: Mapping[Any, Any], **converted: Any) -> T:
    """Build a replay dataclass from a row whose column names match its fields."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    return cls(**{name: converted[name] if name in converted else row[name] for name in names})


def _words(raw: list[dict[str, Any]] | None) -> tuple[Word, ...]:
    return tuple(Word(w["text"], w["start_ms"], w["end_ms"], w.get("confidence")) for w in raw or ())


def _by_call(
    rows: Sequence[Mapping[Any, Any]], build: Callable[[Mapping[Any, Any]], T]
) -> dict[str, list[T]]:
    out: dict[str, list[T]] = defaultdict(list)
    for row in rows:
        out[row["call_id"]].append(build(row))
    return out


async def _utterances(
    conn: AsyncConnection, ids: Sequence[str], query: ReplayQuery
) -> dict[str, list[ReplayUtterance]]:
    stmt = select(utterances).where(
        utterances.c.call_id.in_(ids), utterances.c.speaker.in_([Speaker(s).value for s in query.speakers])
    )
    if not query.include_partials:
        stmt = stmt.where(utterances.c.is_partial.is_(False))
    stmt = stmt.order_by(utterances.c.call_id, utterances.c.start_ms.nulls_last(), utterances.c.id)
    rows = (await conn.execute(stmt)).mappings().all()
    return _by_call(
        rows,
        lambda r: _from_row(ReplayUtterance, r, speaker=Speaker(r["speaker"]), words=_words(r["words"])),
    )


async def _decisions(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, list[ReplayDecision]]:
    stmt = (
        select(decisions)
        .where(decisions.c.call_id.in_(ids))
        .order_by(decisions.c.call_id, decisions.c.at, decisions.c.id)
    )
    rows = (await conn.execute(stmt)).mappings().all()
    return _by_call(rows, lambda r: _from_row(ReplayDecision, r))


async def _transfers(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, list[ReplayTransfer]]:
    stmt = select(transfers).where(transfers.c.call_id.in_(ids)).order_by(transfers.c.call_id, transfers.c.id)
    rows = (await conn.execute(stmt)).mappings().all()
    return _by_call(rows, lambda r: _from_row(ReplayTransfer, r))


async def iter_calls_for_replay(
    engine: AsyncEngine, query: ReplayQuery | None = None, *, batch_size: int = 100
) -> AsyncIterator[ReplayCall]:
    """Calls matching ``query`` in start order, each with its conversation and decisions."""
    query = query or ReplayQuery()
    engine = reader(engine)
    after: tuple[dt.datetime, str] | None = None
    remaining = query.limit
    while remaining is None or remaining > 0:
        size = batch_size if remaining is None else min(batch_size, remaining)
        async with engine.connect() as conn:
            page = (await conn.execute(_calls_page(query, after, size))).mappings().all()
            if not page:
                return
            ids = [row["id"] for row in page]
            said = await _utterances(conn, ids, query)
            decided = await _decisions(conn, ids)
            handed = await _transfers(conn, ids)
        for row in page:
            call_id = row["id"]
            yield _from_row(
                ReplayCall,
                row,
                call_id=call_id,
                direction=Direction(row["direction"]),
                outcome=CallOutcome(row["outcome"]) if row["outcome"] else None,
                utterances=tuple(said.get(call_id, ())),
                decisions=tuple(decided.get(call_id, ())),
                transfers=tuple(handed.get(call_id, ())),
            )
        if remaining is not None:
            remaining -= len(page)
        if len(page) < size:
            return
        after = (page[-1]["started_at"], page[-1]["id"])
