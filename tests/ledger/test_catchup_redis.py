"""A pbx killed while the ledger's database is locked loses no ledger row: the next pbx replays
them from the real Redis stream into the real SQLite file, each once."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select

from ops.stack.redis_server import RedisServer
from pbx.backoff import Backoff
from pbx.bus.ledger_catchup import LedgerCatchUp
from pbx.bus.ledger_follower import LedgerFollower
from pbx.bus.ledger_sink import LedgerSink
from pbx.bus.publisher import EventPublisher
from pbx.ledger import LedgerWriter
from pbx.ledger.batch import ThreadedBatches
from pbx.ledger.db import make_engine, make_sqlite_thread_engine
from pbx.ledger.schema import Call, metadata
from pbx.ledger.schema import Event as TimelineEntry
from tests.ledger.test_follower import T, _call

pytestmark = pytest.mark.realstack


class PbxSide:
    """What pbx runs for the ledger: publisher, follower and catch-up, wired as pbx.service does."""

    def __init__(self, redis_url: str, stream: str, ledger_url: str) -> None:
        self.redis = aioredis.from_url(redis_url)
        self.engine = make_engine(ledger_url, busy_timeout_ms=100)
        self.thread_engine = make_sqlite_thread_engine(ledger_url, busy_timeout_ms=100)
        self.sink = LedgerSink(LedgerWriter(self.engine), ThreadedBatches(self.thread_engine), stream=stream)
        self.publisher = EventPublisher(self.redis, stream=stream)
        self.follower = LedgerFollower(self.sink.write_batch, backoff=Backoff(0.1, 0.3))
        self.publisher.attach(self.follower.submit, self.follower.on_stream)
        self.catch_up = LedgerCatchUp(self.redis, self.follower, self.sink.position, self.publisher.handover,
                                      stream=stream, backoff=Backoff(0.1, 0.3))  # fmt: skip
        self.tasks = [asyncio.create_task(self.follower.run()), asyncio.create_task(self.catch_up.run())]

    async def publish_calls(self, prefix: str, count: int) -> None:
        for i in range(count):
            for event in _call(f"{prefix}{i}", T + i):
                await self.publisher.publish(event)
        assert await self.publisher.flush()

    async def settled(self) -> None:
        await _until(lambda: self.catch_up.done and not self.follower.pending)

    async def kill(self) -> None:
        """Gone without a word (SIGKILL): whatever the follower held in memory is lost."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.redis.aclose()
        await self.engine.dispose()
        self.thread_engine.dispose()

    async def stop(self) -> None:
        assert await self.publisher.flush() and await self.follower.drain(5)
        await self.kill()


async def _until(ready: Callable[[], bool], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not ready():
            await asyncio.sleep(0.02)


@pytest.fixture
async def ledger(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "ledger.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    return url, path


async def _counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        ended = await conn.scalar(select(func.count()).select_from(Call).where(Call.ended_at.is_not(None)))
        ends = await conn.scalar(select(func.count()).select_from(TimelineEntry)
                                 .where(TimelineEntry.type == "call.ended"))  # fmt: skip
        entries = await conn.scalar(select(func.count()).select_from(TimelineEntry))
    await engine.dispose()
    return ended, ends, entries


async def _last_entry(redis_url: str, stream: str) -> str:
    client = aioredis.from_url(redis_url)
    [(entry_id, _)] = await client.xrevrange(stream, count=1)
    await client.aclose()
    return entry_id.decode()


async def test_pbx_killed_while_the_database_is_locked_loses_no_ledger_row(
    redis_server: RedisServer, ledger: tuple[str, Path]
) -> None:
    url, path = ledger
    stream = f"test:events:{uuid.uuid4().hex}"
    first = PbxSide(redis_server.url, stream, url)
    await first.publish_calls("before", 1)
    await first.settled()

    locker = sqlite3.connect(path, timeout=5)
    locker.execute("BEGIN EXCLUSIVE")  # a long admin transaction, a backup
    try:
        await first.publish_calls("during", 20)
        await _until(lambda: first.follower.last_error is not None)
        assert first.follower.pending == 60 and "locked" in (first.follower.last_error or "")
        await first.kill()  # pbx dies with 60 events only in its memory (and on the stream)
    finally:
        locker.rollback()
        locker.close()

    second = PbxSide(redis_server.url, stream, url)
    await second.publish_calls("after", 2)  # live calls at once: held until the catch-up is done
    await second.settled()
    assert second.catch_up.replayed == 60 and second.catch_up.missing == 0
    assert await _counts(url) == (23, 23, 69)  # every call ended once, every event once
    assert await second.sink.position() is not None
    assert (await second.sink.position()).entry_id == await _last_entry(redis_server.url, stream)
    await second.stop()


async def test_a_clean_restart_replays_nothing_and_duplicates_nothing(
    redis_server: RedisServer, ledger: tuple[str, Path]
) -> None:
    url, _ = ledger
    stream = f"test:events:{uuid.uuid4().hex}"
    first = PbxSide(redis_server.url, stream, url)
    await first.publish_calls("a", 5)
    await first.settled()
    await first.stop()
    assert await _counts(url) == (5, 5, 15)

    second = PbxSide(redis_server.url, stream, url)
    await second.settled()
    assert second.catch_up.replayed == 0
    await second.publish_calls("b", 1)
    await second.settled()
    await second.stop()
    assert await _counts(url) == (6, 6, 18)
