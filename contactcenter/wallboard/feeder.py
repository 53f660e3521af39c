"""The wallboard feeder: pbx's event stream and the database in, board updates out.

One feeder per site (a Redis lock, renewed while it runs) tails ``cc:pbx:events`` with a
blocking ``XREAD`` from the last id it folded, reads pbx's live counts (``cc:pbx:live``)
every second and the database (agents, queues, campaigns) every few seconds, or at once when
nudged (``nudge.py``: a person changed an agent's state), and sends what
changed to the channel-layer group ``wallboard`` as a typed :class:`BoardMessage`. It keeps
the full current board in Redis (``<prefix>:snapshot``) so a page that connects gets it at
once. When it starts leading it first replays today's events from the stream, so the day's
counters do not depend on when it started.

A stream entry that is not a valid event is skipped with a log line, and so is an event the
board cannot fold; Redis going away (restart, network) makes it wait and reconnect with
back-off, keeping its board and its place in the stream. Nothing stops it but cancellation.

Where it runs: by default inside the web server (``host.embedded``, started by the first
wallboard connection, see ``consumers.py``), so ``manage.py stack up`` needs no extra
process; ``manage.py wallboard`` runs the same feeder on its own. The lock makes any number
of them safe: one leads, the others wait to take over.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Literal

import redis.asyncio as aioredis
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError, ResponseError

from contactcenter.core.redis_lock import AsyncRedisLock
from contactcenter.reports import timeline
from contactcenter.wallboard.board import (
    ALL_SECTIONS,
    Board,
    Section,
    apply_agents,
    apply_campaigns,
    apply_event,
    apply_live_counts,
    apply_queues,
    roll_day,
)
from contactcenter.wallboard.config import FeederConfig
from contactcenter.wallboard.daily import agent_changes
from contactcenter.wallboard.facts import LoadFacts, load_facts_async, local_day_start
from contactcenter.wallboard.history import History
from contactcenter.wallboard.messages import MESSAGE_TYPE, BoardMessage
from contactcenter.wallboard.sections import Display, also_changed, gauges, render
from pbx.api import AgentStateChanged, SchemaError, parse_event

log = logging.getLogger(__name__)


def _str(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _LostLeadership(Exception):
    pass


class RetryDelays:
    """Doubling delays between Redis retries (redis-py's backoff), started over by ``reset``."""

    def __init__(self, first_s: float, max_s: float) -> None:
        self._backoff = ExponentialBackoff(cap=max_s, base=first_s)
        self._failures = 0  # in a row

    def next_delay(self) -> float:
        # Counted up to 32 only: the cap is reached long before, and 2**n of a large n overflows.
        delay = self._backoff.compute(min(self._failures, 32))
        self._failures += 1
        return delay

    def reset(self) -> None:
        self._failures = 0


class Feeder:
    def __init__(self, config: FeederConfig, layer: Any, load_facts: LoadFacts = load_facts_async,
                 clock: Callable[[], float] = time.time,
                 redis_factory: Callable[[], aioredis.Redis] | None = None) -> None:  # fmt: skip
        self.config = config
        self._layer = layer
        self._load_facts = load_facts
        self._clock = clock
        self._redis_factory = redis_factory or (lambda: aioredis.from_url(
            config.redis_url, socket_connect_timeout=5, socket_timeout=config.block_ms / 1000 + 10))  # fmt: skip
        self._token = uuid.uuid4().hex
        self.epoch = self._token[:12]
        self.seq = 0
        self.board: Board | None = None
        self.history = History(step_s=config.chart_step_s)
        # Agents' states over the day, for occupancy and handle times: pbx's phone events as they
        # are folded, and the database's states at every read.
        self.agent_timeline = timeline.AgentTimeline()
        self.display = Display(config.thresholds, self.history, self.agent_timeline, config.time_zone)
        self._replaying_since: float | None = None  # while rebuilding: sample only the last hour's events
        self.last_id: str | None = None
        self._nudge_id = "0-0"  # the last nudge seen (nudge.py): a newer one means re-read the database
        self._db_due = False
        self.leading = False
        self.applied = 0
        self.skipped = 0
        self.reconnects = 0
        self._rendered: dict[str, Any] = {}
        self._pending: set[Section] = set()
        self._last_publish = 0.0
        self._last_live = 0.0
        self._last_db = 0.0

    # ---------------------------------------------------------------- the loop

    async def run(self) -> None:
        """Lead (or wait to lead) until cancelled; every failure is logged and retried."""
        backoff = RetryDelays(self.config.reconnect_min_s, self.config.reconnect_max_s)
        while True:
            redis = self._redis_factory()
            lock = AsyncRedisLock(redis, self.config.lock_key, self._token, self.config.lock_ttl_s)
            try:
                await self._lead(redis, lock, backoff)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self.reconnects += 1
                delay = backoff.next_delay()
                log.warning("wallboard feeder: Redis unreachable (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
            except _LostLeadership:
                log.info("wallboard feeder: another feeder took the lead; standing by")
                self._drop_board()
            except Exception:  # a bug must not end the board: start over from a fresh board
                log.exception("wallboard feeder failed; rebuilding the board")
                self._drop_board()
                await asyncio.sleep(backoff.next_delay())
            finally:
                await self._close(redis, lock)

    async def _close(self, redis: aioredis.Redis, lock: AsyncRedisLock) -> None:
        try:
            if self.leading:
                await asyncio.wait_for(lock.release(), 2)
        except (RedisError, OSError, asyncio.TimeoutError):
            pass  # the lock expires by itself
        finally:
            self.leading = False
            await redis.aclose()

    def _drop_board(self) -> None:
        self.board, self.last_id, self._rendered = None, None, {}
        self.history.samples.clear()
        self.agent_timeline.changes.clear()

    async def _lead(self, redis: aioredis.Redis, lock: AsyncRedisLock, backoff: RetryDelays) -> None:
        while not await lock.acquire():  # or still ours, after a reconnect
            if self.board is not None:
                log.info("wallboard feeder: another feeder leads; standing by")
                self._drop_board()
            backoff.reset()
            await asyncio.sleep(self.config.lock_ttl_s / 3)
        self.leading = True
        if self.board is None:
            await self._build(redis)
        else:
            log.info("wallboard feeder: reconnected; following %s after %s", self.config.stream, self.last_id)
        await self._publish(redis, "snapshot", ALL_SECTIONS)  # pages may have missed patches meanwhile
        backoff.reset()
        while True:
            await self._step(redis, lock)

    async def _step(self, redis: aioredis.Redis, lock: AsyncRedisLock) -> None:
        if not await lock.refresh():
            raise _LostLeadership()
        block_ms = self.config.block_ms
        if self._pending:
            wait = self.config.min_publish_interval_s - (self._clock() - self._last_publish)
            block_ms = max(1, min(block_ms, int(wait * 1000)))
        # The nudges' stream beside pbx's: a nudge ends the blocking read at once.
        streams = {self.config.stream: self.last_id, self.config.nudge_key: self._nudge_id}
        reply = await redis.xread(streams, count=self.config.batch, block=block_ms)
        for stream, entries in reply or []:
            if _str(stream) == self.config.nudge_key:
                self._nudge_id = _str(entries[-1][0])
                self._db_due = True
                continue
            for entry_id, fields in entries:
                self._pending |= self._fold(entry_id, fields)
        now = self._clock()
        self._pending |= await self._refresh(redis, now)
        self._pending |= self._sample(now)
        since = now - self._last_publish
        if (self._pending and since >= self.config.min_publish_interval_s) or since >= self.config.heartbeat_s:
            sections, self._pending = self._pending, set()
            await self._publish(redis, "patch", sections)

    # ---------------------------------------------------------------- building and folding

    async def _build(self, redis: aioredis.Redis) -> None:
        now = self._clock()
        day_start = local_day_start(now, self.config.time_zone)
        self.board = Board(day_start=day_start, config=self.config.board)
        self._last_db = self._last_live = 0.0
        newest_nudge = await redis.xrevrange(self.config.nudge_key, count=1)  # the facts read below are newer
        self._nudge_id = _str(newest_nudge[0][0]) if newest_nudge else "0-0"
        await self._refresh(redis, now)
        if self.config.replay_today:
            self.board.counted_since = await self._trimmed_since(redis, day_start)
            start = f"{int(day_start * 1000)}-0"
            self.last_id = start
            # The charts' last hour is drawn again from the events (AI calls from those followed:
            # pbx's live counts are of now, not of then).
            self._replaying_since = now - self.history.window_s
            try:
                while True:
                    entries = await redis.xrange(self.config.stream, min=start, max="+", count=1000)
                    # A thread again: a day's events and the last hour's chart points are seconds
                    # of work on a busy day, and the web server must go on serving.
                    await asyncio.to_thread(self._fold_all, entries)
                    if len(entries) < 1000:
                        break
                    start = f"({self.last_id}"
            finally:
                self._replaying_since = None
        else:
            newest = await redis.xrevrange(self.config.stream, count=1)
            self.last_id = _str(newest[0][0]) if newest else "0-0"
        log.info("wallboard feeder: leading; board built from %d event(s) of today, following %s after %s",
                 self.applied, self.config.stream, self.last_id)  # fmt: skip

    async def _trimmed_since(self, redis: aioredis.Redis, day_start: float) -> float | None:
        """When entries were trimmed and the oldest left is from today: today's counts start there."""
        try:
            info = await redis.xinfo_stream(self.config.stream)
        except ResponseError:
            return None  # no stream yet
        first = info.get("first-entry") or info.get(b"first-entry")
        added = info.get("entries-added") or info.get(b"entries-added") or 0
        if not first or int(added) <= int(info.get("length") or info.get(b"length") or 0):
            return None
        first_s = int(_str(first[0]).split("-")[0]) / 1000
        return first_s if first_s > day_start else None

    def _fold_all(self, entries: Iterable[tuple[Any, Any]]) -> None:
        for entry_id, fields in entries:
            self._fold(entry_id, fields)

    def _fold(self, entry_id: Any, fields: Any) -> frozenset[Section]:
        assert self.board is not None
        self.last_id = _str(entry_id)
        try:
            event = parse_event(fields)
        except (SchemaError, ValueError, TypeError, AttributeError) as exc:
            self.skipped += 1
            log.warning("wallboard: skipping stream entry %s: %s", self.last_id, exc)
            return frozenset()
        # The state at a chart step's start is the state before its first event.
        sampled = self._sample(event.at, live_counts=self._replaying_since is None)
        try:
            changed = apply_event(self.board, event)
        except Exception:
            self.skipped += 1
            log.exception("wallboard: event %s (%s) could not be applied; skipped", self.last_id, event.type)
            return sampled
        self.applied += 1
        if isinstance(event, AgentStateChanged):
            timeline.apply_change(self.agent_timeline, timeline.change_from_event(event))
        return also_changed(changed) | sampled

    def _sample(self, at: float, live_counts: bool = True) -> frozenset[Section]:
        assert self.board is not None
        if self._replaying_since is not None and at < self._replaying_since:
            return frozenset()
        if not self.history.due(at):
            return frozenset()
        minute_before = self.history.samples[-1].at // 60 if self.history.samples else None
        self.history.add(at, gauges(self.board, at, live_counts, self.config.time_zone))
        # Figures that move with the clock alone are refreshed with it: today's every step, the
        # agents' (occupancy, AHT) once a minute, so pages listing agents are not redrawn more.
        if minute_before is not None and self.history.samples[-1].at // 60 == minute_before:
            return frozenset({Section.CHARTS, Section.TODAY})
        return frozenset({Section.CHARTS, Section.TODAY, Section.AGENTS})

    async def _refresh(self, redis: aioredis.Redis, now: float) -> set[Section]:
        assert self.board is not None
        changed: set[Section] = set(roll_day(self.board, local_day_start(now, self.config.time_zone)))
        if changed:  # a new day: earlier agent states matter only for the state the day opens with
            self._forget_agent_states_before(self.board.day_start)
        if now - self._last_live >= self.config.live_refresh_s:
            self._last_live = now
            changed |= apply_live_counts(self.board, await redis.hgetall(self.config.live_key), now)
        if self._db_due or now - self._last_db >= self.config.db_refresh_s:
            self._last_db, self._db_due = now, False
            try:
                facts = await self._load_facts(self.board.day_start)
            except Exception as exc:  # the database is down or busy: keep showing what we had
                log.warning("wallboard feeder: could not read the database (%s); keeping the last facts", exc)
            else:
                changed |= apply_queues(self.board, facts.queues)
                changed |= apply_agents(self.board, facts.agents)
                for change in agent_changes(self.board):
                    timeline.apply_change(self.agent_timeline, change)
                changed |= apply_campaigns(self.board, facts.campaigns)
        return changed

    def _forget_agent_states_before(self, at: float) -> None:
        for agent, changes in self.agent_timeline.changes.items():
            first = bisect.bisect_left(changes, at, key=lambda c: c.at)
            self.agent_timeline.changes[agent] = changes[max(0, first - 1):]

    # ---------------------------------------------------------------- publishing

    async def _publish(self, redis: aioredis.Redis, kind: Literal["snapshot", "patch"],
                       sections: Iterable[Section]) -> BoardMessage:  # fmt: skip
        assert self.board is not None
        now = self._clock()
        sections = set(sections) | (ALL_SECTIONS - self._rendered.keys())  # never patch onto a missing section
        # In a thread: the day's figures take a while on a busy day, and the web server this
        # feeder usually lives in must keep serving meanwhile. Nothing else changes the board
        # while this feeder waits for it.
        fresh = await asyncio.to_thread(render, self.board, now, sections, self.display)
        if kind == "patch":  # what renders as the page already has it is not sent again
            fresh = {name: value for name, value in fresh.items() if self._rendered.get(name) != value}
        self._rendered.update(fresh)
        self.seq += 1
        snapshot = BoardMessage("snapshot", self.epoch, self.seq, now, dict(self._rendered))
        # The stored snapshot first, then the patch: a page that reads the snapshot after joining
        # the group either has this seq already or receives the patch after it.
        await redis.set(self.config.snapshot_key, json.dumps(snapshot.to_json(), separators=(",", ":")),
                        px=int(self.config.snapshot_ttl_s * 1000))  # fmt: skip
        message = snapshot if kind == "snapshot" else BoardMessage("patch", self.epoch, self.seq, now, fresh)
        await self._layer.group_send(self.config.group, {"type": MESSAGE_TYPE, "message": message.to_json()})
        self._last_publish = now
        return message
