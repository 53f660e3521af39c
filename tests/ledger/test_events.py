"""The timeline: gap-free seq per call under concurrency, dedup, unknown calls."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import uuid

import pytest

from pbx.ledger import CallStart, Direction, LedgerWriter, WriteStatus
from pbx.ledger.db import make_engine
from pbx.ledger.schema import Call, Event
from tests.ledger.conftest import T0, at
from tests.ledger.helpers import one, rows

CALL = "c0ffee00-0000-4000-8000-000000000001"
OTHER = "c0ffee00-0000-4000-8000-000000000002"


async def test_fifty_concurrent_appends_get_seq_1_to_50(writer: LedgerWriter, engine) -> None:
    await writer.call_started(CallStart(CALL, Direction.INBOUND, T0))
    results = await asyncio.gather(
        *(writer.append_event(CALL, "utterance.partial", {"n": n}, at=at(n)) for n in range(50))
    )
    assert sorted(r.seq for r in results) == list(range(1, 51))
    assert {r.status for r in results} == {WriteStatus.RECORDED}
    stored = await rows(engine, Event, call_id=CALL)
    assert sorted(e.seq for e in stored) == list(range(1, 51))
    # Each result's seq is the seq its own payload was stored under.
    by_payload = {e.payload["n"]: e.seq for e in stored}
    assert by_payload == {n: r.seq for n, r in enumerate(results)}
    assert (await one(engine, Call, id=CALL)).event_seq == 50


async def test_two_engines_appending_to_one_call_share_one_sequence(writer, engine, ledger_url) -> None:
    # pbx could run a second process (or restart while the first drains): the seq lives in
    # the database, not in a process.
    other_engine = make_engine(ledger_url)
    second = LedgerWriter(other_engine)
    try:
        await asyncio.gather(
            *(w.append_event(CALL, "tick", {"n": n}) for n in range(20) for w in (writer, second))
        )
    finally:
        await other_engine.dispose()
    assert sorted(e.seq for e in await rows(engine, Event, call_id=CALL)) == list(range(1, 41))


async def test_seq_is_per_call(writer, engine) -> None:
    for call_id in (CALL, OTHER, CALL):
        await writer.append_event(call_id, "x")
    assert [(e.call_id, e.seq) for e in await rows(engine, Event)] == [(CALL, 1), (OTHER, 1), (CALL, 2)]


async def test_event_for_an_unknown_call_is_kept_under_a_provisional_call(writer, engine) -> None:
    result = await writer.append_event(CALL, "ami.QueueCallerJoin", {"Queue": "support"}, at=at(5))
    assert (result.status, result.seq, result.stored) == (WriteStatus.UNKNOWN_CALL, 1, True)
    assert (await one(engine, Call, id=CALL)).provisional is True
    await writer.call_started(CallStart(CALL, Direction.INBOUND, T0))
    second = await writer.append_event(CALL, "call.started")
    assert (second.status, second.seq) == (WriteStatus.RECORDED, 2)
    assert [e.type for e in await rows(engine, Event, call_id=CALL)] == [
        "ami.QueueCallerJoin",
        "call.started",
    ]


async def test_redelivered_event_is_stored_once_and_answers_its_first_seq(writer, engine) -> None:
    first = await writer.append_event(CALL, "decision", {"escalate": True}, dedup_key="1700000000000-0")
    await writer.append_event(CALL, "other")
    again = await writer.append_event(CALL, "decision", {"escalate": True}, dedup_key="1700000000000-0")
    assert (again.status, again.seq) == (WriteStatus.DUPLICATE, first.seq)
    assert [e.seq for e in await rows(engine, Event, call_id=CALL)] == [1, 2]


async def test_concurrent_redeliveries_store_one_event(writer, engine) -> None:
    results = await asyncio.gather(*(writer.append_event(CALL, "x", dedup_key="same") for _ in range(10)))
    assert sorted(r.status for r in results).count(WriteStatus.DUPLICATE) == 9
    assert {r.seq for r in results} == {1}
    assert len(await rows(engine, Event)) == 1


class Mood(enum.Enum):
    ANGRY = "angry"


async def test_payload_keeps_timestamps_ids_and_enums_as_json(writer, engine) -> None:
    ident = uuid.uuid4()
    payload = {"when": at(1), "id": ident, "mood": Mood.ANGRY, "tags": ("a", "b"), "nested": {"x": [1, 2.5]}}
    await writer.append_event(CALL, "x", payload, at=T0 + dt.timedelta(microseconds=1500))
    event = await one(engine, Event, call_id=CALL)
    assert event.payload == {
        "when": at(1).isoformat(),
        "id": str(ident),
        "mood": "angry",
        "tags": ["a", "b"],
        "nested": {"x": [1, 2.5]},
    }
    assert event.at == T0 + dt.timedelta(microseconds=1500)  # sub-millisecond precision survives


async def test_bad_event_type_is_refused(writer) -> None:
    with pytest.raises(ValueError):
        await writer.append_event(CALL, "")
    with pytest.raises(ValueError):
        await writer.append_event(CALL, "x" * 65)
