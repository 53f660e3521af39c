"""The ledger written behind the live path: batched, in order, nothing lost to a busy database."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from pbx.api import CallAnswered, CallEnded, CallStarted, Event, UtteranceHeard
from pbx.backoff import Backoff
from pbx.bus.ledger_follower import LedgerFollower
from pbx.bus.ledger_sink import LedgerSink
from pbx.bus.stream_position import StreamPosition
from pbx.ledger import LedgerWriter
from pbx.ledger.batch import ThreadedBatches
from pbx.ledger.db import make_sqlite_thread_engine
from pbx.ledger.schema import Call, Utterance
from pbx.ledger.schema import Event as TimelineEntry

T = 1_790_000_000.0


def _call(call_id: str, t: float = T) -> list[Event]:
    return [
        CallStarted(call_id=call_id, at=t, direction="outbound", endpoint="PJSIP/+919800000001@trunk", flow="f"),
        CallAnswered(call_id=call_id, at=t + 1),
        CallEnded(call_id=call_id, at=t + 9, outcome="confirmed"),
    ]  # fmt: skip


class FlakyWriter:
    """Records each batch; fails the first ``busy`` writes as a locked database would, and
    refuses for good any batch holding an event of call ``bad``."""

    def __init__(self, busy: int = 0) -> None:
        self.busy = busy
        self.batches: list[list[str]] = []

    async def __call__(self, events: Sequence[Event], position: StreamPosition | None = None) -> None:
        if self.busy:
            self.busy -= 1
            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
        if any(e.call_id == "bad" for e in events):
            raise ValueError("not in the ledger's vocabulary")
        self.batches.append([f"{e.call_id}:{e.type}" for e in events])


def _follower(writer, **kw) -> LedgerFollower:
    return LedgerFollower(writer, backoff=Backoff(0.01, 0.02), **kw)


async def _until_written(follower: LedgerFollower, task: asyncio.Task) -> None:
    async with asyncio.timeout(5):
        while follower.pending:
            assert not task.done(), task
            await asyncio.sleep(0.005)


async def test_a_burst_is_written_in_one_batch_in_order() -> None:
    writer = FlakyWriter()
    follower = _follower(writer)
    events = _call("a") + _call("b")
    for event in events:
        follower.submit(event)  # before the task runs: they gather
    task = asyncio.create_task(follower.run())
    await _until_written(follower, task)
    task.cancel()
    assert writer.batches == [[f"{e.call_id}:{e.type}" for e in events]]
    assert follower.report() == {"pending": 0, "written": 6, "refused": 0, "dropped": 0, "last_error": None,
                                 "catching_up": False}


async def test_a_busy_database_delays_the_events_but_loses_none() -> None:
    writer = FlakyWriter(busy=3)
    follower = _follower(writer)
    task = asyncio.create_task(follower.run())
    for event in _call("a"):
        follower.submit(event)
    await _until_written(follower, task)
    task.cancel()
    assert [x for batch in writer.batches for x in batch] == ["a:call.started", "a:call.answered", "a:call.ended"]
    assert follower.written == 3 and "database is locked" in (follower.last_error or "")


async def test_an_event_the_ledger_refuses_is_skipped_and_the_rest_of_its_batch_kept() -> None:
    writer = FlakyWriter()
    follower = _follower(writer)
    for event in _call("a") + _call("bad") + _call("c"):
        follower.submit(event)
    task = asyncio.create_task(follower.run())
    await _until_written(follower, task)
    task.cancel()
    written = [x for batch in writer.batches for x in batch]
    assert written == ["a:call.started", "a:call.answered", "a:call.ended",
                       "c:call.started", "c:call.answered", "c:call.ended"]  # fmt: skip
    assert (follower.written, follower.refused) == (6, 3)


async def test_drain_writes_what_is_left_at_shutdown_and_reports_what_it_could_not() -> None:
    writer = FlakyWriter()
    follower = _follower(writer)
    for event in _call("a"):
        follower.submit(event)
    assert await follower.drain(timeout_s=2) is True
    assert follower.written == 3

    stuck = _follower(FlakyWriter(busy=10_000))
    stuck.submit(_call("z")[0])
    assert await stuck.drain(timeout_s=0.2) is False
    assert stuck.pending == 1


def test_memory_is_bounded_when_the_database_stays_down() -> None:
    follower = _follower(FlakyWriter(), max_pending=4)
    for i in range(10):
        follower.submit(CallAnswered(call_id=f"c{i}"))
    assert follower.pending == 4 and follower.dropped == 6


@pytest.mark.parametrize("how", ["one by one", "batched", "batched on a thread"])
async def test_real_ledger_gets_every_fact_of_a_burst(engine: AsyncEngine, ledger_url: str, how: str) -> None:
    thread_engine = make_sqlite_thread_engine(ledger_url) if how == "batched on a thread" else None
    if how == "batched on a thread" and thread_engine is None:
        pytest.skip("threaded batches are for SQLite")
    sink = LedgerSink(LedgerWriter(engine), ThreadedBatches(thread_engine) if thread_engine else None)
    follower = LedgerFollower(sink.write_batch, max_batch=1 if how == "one by one" else 500)
    events = [e for i in range(20) for e in _call(f"c{i}", T + i)]
    events.insert(5, UtteranceHeard(call_id="c1", at=T + 1.5, utterance_id="u1", speaker="customer", text="yes",
                                    start_ms=100, end_ms=600))  # fmt: skip
    # A speaker the ledger has no word for: refused alone, its neighbours written.
    events.insert(6, UtteranceHeard.model_construct(call_id="c1", at=T + 1.6, utterance_id="u2", speaker="martian",
                                                    text="?", final=True, type="call.utterance", event_id="e-bad"))  # fmt: skip
    for event in events:
        follower.submit(event)
    task = asyncio.create_task(follower.run())
    await _until_written(follower, task)
    task.cancel()
    async with engine.connect() as conn:
        calls = await conn.scalar(select(func.count()).select_from(Call).where(Call.answered_at.is_not(None),
                                                                              Call.ended_at.is_not(None)))  # fmt: skip
        timeline = await conn.scalar(select(func.count()).select_from(TimelineEntry))
        utterances = (await conn.execute(select(Utterance.text))).scalars().all()
    assert calls == 20 and timeline == 61 and utterances == ["yes"]
    assert (follower.written, follower.refused) == (61, 1)
    if thread_engine is not None:
        thread_engine.dispose()


def test_ledger_inserts_are_compiled_once_not_per_call() -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    from pbx.ledger.writes.common import InsertIgnore

    table = Call.__table__
    first, second = InsertIgnore(table).values(id="a", provisional=True), InsertIgnore(table).values(id="b")
    assert first._generate_cache_key() is not None  # None: SQLAlchemy compiles it on every execute
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert str(first.compile(dialect=dialect)).endswith(" ON CONFLICT DO NOTHING")
    assert first._generate_cache_key() != second._generate_cache_key()  # other columns, other SQL


async def test_a_ledger_locked_by_another_connection_catches_up_and_loses_no_row(tmp_path) -> None:
    """Another process holds SQLite's write lock for seconds (a long admin transaction, a backup):
    the follower keeps the events in order, retries with back-off, and writes every one once the
    lock is gone; nothing is written twice."""
    import sqlite3

    from pbx.ledger.db import make_engine
    from pbx.ledger.schema import metadata

    path = tmp_path / "ledger.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    engine = make_engine(url, busy_timeout_ms=100)  # give up on the lock soon: the follower's back-off waits
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    thread_engine = make_sqlite_thread_engine(url, busy_timeout_ms=100)
    sink = LedgerSink(LedgerWriter(engine), ThreadedBatches(thread_engine))
    follower = LedgerFollower(sink.write_batch, backoff=Backoff(0.1, 0.5))
    task = asyncio.create_task(follower.run())

    for event in _call("before"):
        follower.submit(event)
    await _until_written(follower, task)
    locker = sqlite3.connect(path, timeout=5)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        for i in range(30):
            for event in _call(f"during{i}", T + i):
                follower.submit(event)
        async with asyncio.timeout(5):
            while follower.last_error is None:
                await asyncio.sleep(0.05)
        await asyncio.sleep(2.0)  # locked for seconds, not one retry
        assert follower.pending == 90 and "locked" in follower.last_error
    finally:
        locker.rollback()
        locker.close()
    await _until_written(follower, task)
    task.cancel()
    async with engine.connect() as conn:
        ended = await conn.scalar(select(func.count()).select_from(Call).where(Call.ended_at.is_not(None)))
        ends = await conn.scalar(select(func.count()).select_from(TimelineEntry)
                                 .where(TimelineEntry.type == "call.ended"))  # fmt: skip
    assert (ended, ends) == (31, 31)
    assert (follower.written, follower.refused, follower.dropped) == (93, 0, 0)
    await engine.dispose()
    thread_engine.dispose()
