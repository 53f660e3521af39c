"""The ledger's place in the event stream: written with each batch, and what a restart replays.

Fakes for Redis here; tests/ledger/test_catchup_redis.py runs the same against a real Redis.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from pbx.api import CallEnded, Event, to_fields
from pbx.backoff import Backoff
from pbx.bus.ledger_catchup import LedgerCatchUp
from pbx.bus.ledger_follower import LedgerFollower
from pbx.bus.ledger_sink import LedgerSink
from pbx.bus.stream_position import StreamPosition
from pbx.ledger import LedgerWriter
from pbx.ledger.schema import Call
from pbx.ledger.schema import Event as TimelineEntry
from tests.ledger.test_follower import _call


class RecordingWriter:
    def __init__(self) -> None:
        self.batches: list[tuple[list[str], str | None]] = []

    async def __call__(self, events: Sequence[Event], position: StreamPosition | None = None) -> None:
        self.batches.append(([e.call_id or "" for e in events], position and position.entry_id))


def _pos(n: int) -> StreamPosition:
    return StreamPosition(f"{n}-0", n)


async def _written(follower: LedgerFollower) -> None:
    async with asyncio.timeout(5):
        while follower.pending:
            await asyncio.sleep(0.005)


async def test_a_batch_stores_the_place_of_its_last_event_redis_numbered() -> None:
    writer = RecordingWriter()
    follower = LedgerFollower(writer, linger_s=0)
    first, second, third = (CallEnded(call_id=c, outcome="confirmed") for c in "abc")
    for event in (first, second, third):
        follower.submit(event)
    follower.on_stream([first, second], [_pos(1), _pos(2)])  # the third is not on the stream yet
    await follower.drain(1)
    assert writer.batches == [(["a", "b", "c"], "2-0")]


async def test_once_an_event_was_dropped_the_place_no_longer_moves() -> None:
    writer = RecordingWriter()
    follower = LedgerFollower(writer, max_pending=2)
    events = [CallEnded(call_id=c, outcome="confirmed") for c in "abc"]
    for event in events:
        follower.submit(event)  # "a" is dropped for memory
    follower.on_stream(events, [_pos(1), _pos(2), _pos(3)])
    await follower.drain(1)
    assert writer.batches == [(["b", "c"], None)]  # the next start replays "a" from the stream


async def test_held_live_events_go_after_the_replayed_ones() -> None:
    writer = RecordingWriter()
    follower = LedgerFollower(writer, linger_s=0)
    follower.hold()
    task = asyncio.create_task(follower.run())
    live = CallEnded(call_id="live", outcome="confirmed")
    follower.submit(live)
    follower.on_stream([live], [_pos(9)])
    follower.submit_replayed(CallEnded(call_id="old", outcome="confirmed"), _pos(5))
    async with asyncio.timeout(5):
        while follower.replay_waiting:
            await asyncio.sleep(0.005)
    assert writer.batches == [(["old"], "5-0")] and follower.pending == 1
    follower.release(caught_up=True)
    await _written(follower)
    task.cancel()
    assert writer.batches == [(["old"], "5-0"), (["live"], "9-0")]


async def test_a_catch_up_stopped_half_way_writes_the_live_events_without_moving_the_place() -> None:
    writer = RecordingWriter()
    follower = LedgerFollower(writer)
    follower.hold()
    live = CallEnded(call_id="live", outcome="confirmed")
    follower.submit(live)
    follower.on_stream([live], [_pos(9)])
    assert await follower.drain(1)  # shutdown before the catch-up finished
    assert writer.batches == [(["live"], None)]


class FakeStream:
    """XINFO STREAM and XRANGE over a list of entries, as redis-py returns them."""

    def __init__(self, events: Sequence[Event], trimmed: int = 0) -> None:
        self.entries = [(f"{n}-0".encode(), {k.encode(): v.encode() for k, v in to_fields(e).items()})
                        for n, e in enumerate(events, trimmed + 1)]  # fmt: skip
        self.trimmed = trimmed
        self.unavailable = 0

    async def xinfo_stream(self, stream: str) -> dict:
        return {"length": len(self.entries), "entries-added": self.trimmed + len(self.entries),
                "last-generated-id": self.entries[-1][0], "first-entry": self.entries[0],
                "max-deleted-entry-id": f"{self.trimmed}-0".encode()}  # fmt: skip

    async def xrange(self, stream: str, min: str, max: str, count: int) -> list:
        if self.unavailable:
            self.unavailable -= 1
            raise ConnectionError("redis restarting")
        low, high = int(min.strip("(").split("-")[0]), int(max.split("-")[0])
        return [e for e in self.entries if low < int(e[0].split(b"-")[0]) <= high][:count]


def _catch_up(stream: FakeStream, follower: LedgerFollower, stored: StreamPosition | None,
              handover: StreamPosition) -> LedgerCatchUp:  # fmt: skip
    async def position() -> StreamPosition | None:
        return stored

    async def handed_over() -> StreamPosition:
        return handover

    return LedgerCatchUp(stream, follower, position, handed_over, chunk=2,  # type: ignore[arg-type]
                         backoff=Backoff(0.01, 0.02))  # fmt: skip


async def test_catch_up_replays_after_the_stored_place_up_to_the_handover_in_chunks() -> None:
    stream = FakeStream([CallEnded(call_id=f"c{n}", outcome="confirmed") for n in range(1, 8)])
    stream.unavailable = 1  # Redis drops once in the middle: retried, nothing skipped
    writer = RecordingWriter()
    follower = LedgerFollower(writer, linger_s=0)
    catch_up = _catch_up(stream, follower, _pos(2), _pos(6))  # entry 7 is this pbx's own
    task = asyncio.create_task(follower.run())
    await catch_up.run()
    await _written(follower)
    task.cancel()
    assert [c for batch, _ in writer.batches for c in batch] == ["c3", "c4", "c5", "c6"]
    assert writer.batches[-1][1] == "6-0"
    assert (catch_up.replayed, catch_up.missing, follower.report()["catching_up"]) == (4, 0, False)


async def test_a_stream_trimmed_past_the_stored_place_is_logged_with_how_many_are_gone(caplog) -> None:
    stream = FakeStream([CallEnded(call_id=f"c{n}", outcome="confirmed") for n in range(1, 4)], trimmed=10)
    writer = RecordingWriter()
    follower = LedgerFollower(writer, linger_s=0)
    catch_up = _catch_up(stream, follower, _pos(7), _pos(13))  # 8..10 trimmed before the ledger had them
    task = asyncio.create_task(follower.run())
    await catch_up.run()
    await _written(follower)
    task.cancel()
    assert catch_up.missing == 3 and catch_up.replayed == 3
    assert "3 event(s) after it are missing from the ledger" in caplog.text
    assert writer.batches[-1][1] == "13-0"


async def test_replaying_events_the_ledger_already_has_adds_no_row(engine: AsyncEngine) -> None:
    """The safety net under the handover: the same call's events written twice (CallEnded too)
    leave one call, one end, one timeline entry each, and no conflict."""
    sink = LedgerSink(LedgerWriter(engine))
    events = _call("twice")
    await sink.write_batch(events, _pos(3))
    await sink.write_batch(events, _pos(3))
    await sink.write_batch(events[2:], None)
    async with engine.connect() as conn:
        calls = await conn.scalar(select(func.count()).select_from(Call))
        entries = (await conn.execute(select(TimelineEntry.type).order_by(TimelineEntry.seq))).scalars().all()
    assert calls == 1 and entries == ["call.started", "call.answered", "call.ended"]
    assert await sink.position() == _pos(3)
