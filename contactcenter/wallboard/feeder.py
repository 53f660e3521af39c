"""The wallboard feeder: pbx's event stream and the database in, board updates out.

One feeder per site (a Redis lock, renewed while it runs) tails ``cc:pbx:events`` with a
blocking ``XREAD`` from the last id it folded, reads pbx's live counts (``cc:pbx:live``)
every second and the database (agents, queues, campaigns) every few seconds, and sends what
changed to the channel-layer group ``wallboard`` as a typed :class:`BoardMessage`. It keeps
the full current board in Redis (``<prefix>:snapshot``) so a page that connects gets it at
once. When it starts leading it first replays today's events from the stream, so the day's
counters do not depend on when it started.

A stream entry that is not a valid event is skipped with a log line, and so is an event the
board cannot fold; Redis going away (restart, network) makes it wait and reconnect with
back-off, keeping its board and its place in the stream. Nothing stops it but cancellation.

Where it runs: by default inside the web server (:data:`embedded`, started by the first
wallboard connection, see ``consumers.py``), so ``manage.py stack up`` needs no extra
process; ``manage.py wallboard`` runs the same feeder on its own. The lock makes any number
of them safe: one leads, the others wait to take over.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import redis.asyncio as aioredis
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError, ResponseError

from contactcenter.wallboard.board import (
    ALL_SECTIONS,
    Board,
    BoardConfig,
    Section,
    apply_agents,
    apply_campaigns,
    apply_event,
    apply_live_counts,
    apply_queues,
    render,
    roll_day,
)
from contactcenter.wallboard.facts import DbFacts, local_day_start
from pbx.api import EVENTS_STREAM, LIVE_COUNTS_KEY, SchemaError, parse_event

log = logging.getLogger(__name__)

GROUP = "wallboard"
MESSAGE_TYPE = "wallboard.update"  # the consumer's handler: ``wallboard_update``

_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@dataclass(frozen=True)
class FeederConfig:
    redis_url: str
    stream: str = EVENTS_STREAM
    live_key: str = LIVE_COUNTS_KEY
    group: str = GROUP
    key_prefix: str = "cc:wallboard"
    time_zone: str = "UTC"  # "today" starts at local midnight here
    block_ms: int = 1000
    batch: int = 500
    min_publish_interval_s: float = 0.2  # coalesce bursts into one update
    live_refresh_s: float = 1.0
    db_refresh_s: float = 3.0
    heartbeat_s: float = 5.0
    lock_ttl_s: float = 15.0
    snapshot_ttl_s: float = 30.0  # the snapshot disappears when no feeder keeps it fresh
    replay_today: bool = True
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 10.0
    board: BoardConfig = field(default_factory=BoardConfig)

    @property
    def snapshot_key(self) -> str:
        return f"{self.key_prefix}:snapshot"

    @property
    def lock_key(self) -> str:
        return f"{self.key_prefix}:feeder"

    @classmethod
    def from_settings(cls) -> FeederConfig:
        """From Django settings: ``REDIS_URL``, ``TIME_ZONE`` and optional ``WALLBOARD_*`` overrides."""
        from django.conf import settings

        return cls(
            redis_url=getattr(settings, "WALLBOARD_REDIS_URL", None) or settings.REDIS_URL,
            stream=getattr(settings, "WALLBOARD_EVENTS_STREAM", EVENTS_STREAM),
            live_key=getattr(settings, "WALLBOARD_LIVE_COUNTS_KEY", LIVE_COUNTS_KEY),
            group=getattr(settings, "WALLBOARD_GROUP", GROUP),
            key_prefix=getattr(settings, "WALLBOARD_KEY_PREFIX", "cc:wallboard"),
            time_zone=settings.TIME_ZONE,
            board=BoardConfig(service_level_s=float(getattr(settings, "WALLBOARD_SERVICE_LEVEL_S", 20))),
        )  # fmt: skip


@dataclass(frozen=True)
class BoardMessage:
    """What the page receives: a whole board (``snapshot``) or the sections that changed (``patch``).

    ``epoch`` names one feeder's run and ``seq`` counts its messages, so the page can tell a
    gap (or a new feeder) and ask for a snapshot; ``feeder`` is ``live``, or ``offline`` for a
    board built from the database alone while no feeder runs.
    """

    kind: Literal["snapshot", "patch"]
    epoch: str
    seq: int
    server_time: float
    sections: dict[str, Any]
    feeder: Literal["live", "offline"] = "live"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "epoch": self.epoch, "seq": self.seq, "server_time": round(self.server_time, 3),
                "feeder": self.feeder, "sections": self.sections}  # fmt: skip


def _str(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _LostLeadership(Exception):
    pass


LoadFacts = Callable[[float], Awaitable[DbFacts]]


async def load_facts_async(day_start: float) -> DbFacts:
    from asgiref.sync import sync_to_async

    from contactcenter.wallboard.facts import load_facts

    return await sync_to_async(load_facts, thread_sensitive=True)(day_start)


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
        self.last_id: str | None = None
        self.leading = False
        self.applied = 0
        self.skipped = 0
        self.reconnects = 0
        self._rendered: dict[str, Any] = {}
        self._pending: set[Section] = set()
        self._last_publish = 0.0
        self._last_live = 0.0
        self._last_db = 0.0
        self._failures = 0  # in a row; a good round trip with Redis starts the delays over

    # ---------------------------------------------------------------- the loop

    async def run(self) -> None:
        """Lead (or wait to lead) until cancelled; every failure is logged and retried."""
        backoff = ExponentialBackoff(cap=self.config.reconnect_max_s, base=self.config.reconnect_min_s)
        while True:
            redis = self._redis_factory()
            try:
                await self._lead(redis)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self.reconnects += 1
                delay = self._retry_delay(backoff)
                log.warning("wallboard feeder: Redis unreachable (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
            except _LostLeadership:
                log.info("wallboard feeder: another feeder took the lead; standing by")
                self._drop_board()
            except Exception:  # a bug must not end the board: start over from a fresh board
                log.exception("wallboard feeder failed; rebuilding the board")
                self._drop_board()
                await asyncio.sleep(self._retry_delay(backoff))
            finally:
                await self._close(redis)

    async def _close(self, redis: aioredis.Redis) -> None:
        try:
            if self.leading:
                await asyncio.wait_for(redis.eval(_RELEASE, 1, self.config.lock_key, self._token), 2)
        except (RedisError, OSError, asyncio.TimeoutError):
            pass  # the lock expires by itself
        finally:
            self.leading = False
            await redis.aclose()

    def _retry_delay(self, backoff: ExponentialBackoff) -> float:
        # Counted up to 32 only: the cap is reached long before, and 2**n of a large n overflows.
        delay = backoff.compute(min(self._failures, 32))
        self._failures += 1
        return delay

    def _drop_board(self) -> None:
        self.board, self.last_id, self._rendered = None, None, {}

    async def _lead(self, redis: aioredis.Redis) -> None:
        while not await self._acquire(redis):
            if self.board is not None:
                log.info("wallboard feeder: another feeder leads; standing by")
                self._drop_board()
            self._failures = 0
            await asyncio.sleep(self.config.lock_ttl_s / 3)
        self.leading = True
        if self.board is None:
            await self._build(redis)
        else:
            log.info("wallboard feeder: reconnected; following %s after %s", self.config.stream, self.last_id)
        await self._publish(redis, "snapshot", ALL_SECTIONS)  # pages may have missed patches meanwhile
        self._failures = 0
        while True:
            await self._step(redis)

    async def _acquire(self, redis: aioredis.Redis) -> bool:
        ttl_ms = int(self.config.lock_ttl_s * 1000)
        if await redis.set(self.config.lock_key, self._token, nx=True, px=ttl_ms):
            return True
        return bool(await redis.eval(_RENEW, 1, self.config.lock_key, self._token, ttl_ms))  # still ours

    async def _step(self, redis: aioredis.Redis) -> None:
        if not await redis.eval(_RENEW, 1, self.config.lock_key, self._token, int(self.config.lock_ttl_s * 1000)):
            raise _LostLeadership()
        block_ms = self.config.block_ms
        if self._pending:
            wait = self.config.min_publish_interval_s - (self._clock() - self._last_publish)
            block_ms = max(1, min(block_ms, int(wait * 1000)))
        reply = await redis.xread({self.config.stream: self.last_id}, count=self.config.batch, block=block_ms)
        for _stream, entries in reply or []:
            for entry_id, fields in entries:
                self._pending |= self._fold(entry_id, fields)
        now = self._clock()
        self._pending |= await self._refresh(redis, now)
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
        await self._refresh(redis, now)
        if self.config.replay_today:
            self.board.counted_since = await self._trimmed_since(redis, day_start)
            start = f"{int(day_start * 1000)}-0"
            self.last_id = start
            while True:
                entries = await redis.xrange(self.config.stream, min=start, max="+", count=1000)
                for entry_id, fields in entries:
                    self._fold(entry_id, fields)
                if len(entries) < 1000:
                    break
                start = f"({self.last_id}"
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

    def _fold(self, entry_id: Any, fields: Any) -> frozenset[Section]:
        assert self.board is not None
        self.last_id = _str(entry_id)
        try:
            event = parse_event(fields)
        except (SchemaError, ValueError, TypeError, AttributeError) as exc:
            self.skipped += 1
            log.warning("wallboard: skipping stream entry %s: %s", self.last_id, exc)
            return frozenset()
        try:
            changed = apply_event(self.board, event)
        except Exception:
            self.skipped += 1
            log.exception("wallboard: event %s (%s) could not be applied; skipped", self.last_id, event.type)
            return frozenset()
        self.applied += 1
        return changed

    async def _refresh(self, redis: aioredis.Redis, now: float) -> set[Section]:
        assert self.board is not None
        changed: set[Section] = set(roll_day(self.board, local_day_start(now, self.config.time_zone)))
        if now - self._last_live >= self.config.live_refresh_s:
            self._last_live = now
            changed |= apply_live_counts(self.board, await redis.hgetall(self.config.live_key), now)
        if now - self._last_db >= self.config.db_refresh_s:
            self._last_db = now
            try:
                facts = await self._load_facts(self.board.day_start)
            except Exception as exc:  # the database is down or busy: keep showing what we had
                log.warning("wallboard feeder: could not read the database (%s); keeping the last facts", exc)
            else:
                changed |= apply_queues(self.board, facts.queues)
                changed |= apply_agents(self.board, facts.agents)
                changed |= apply_campaigns(self.board, facts.campaigns)
        return changed

    # ---------------------------------------------------------------- publishing

    async def _publish(self, redis: aioredis.Redis, kind: Literal["snapshot", "patch"],
                       sections: Iterable[Section]) -> BoardMessage:  # fmt: skip
        assert self.board is not None
        now = self._clock()
        sections = set(sections) | (ALL_SECTIONS - self._rendered.keys())  # never patch onto a missing section
        fresh = render(self.board, now, sections)
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


# ------------------------------------------------------------------ what a page gets on connect


async def read_snapshot(config: FeederConfig) -> dict[str, Any] | None:
    """The feeder's last snapshot, or None when no feeder keeps one (or Redis is unreachable)."""
    redis = aioredis.from_url(config.redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        raw = await redis.get(config.snapshot_key)
    except (RedisError, OSError) as exc:
        log.warning("wallboard: no snapshot from Redis (%s)", exc)
        return None
    finally:
        await redis.aclose()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


async def offline_snapshot(config: FeederConfig, load_facts: LoadFacts = load_facts_async,
                           now: float | None = None) -> dict[str, Any]:  # fmt: skip
    """A board from the database alone, for when no feeder runs (no calls, no live counts)."""
    now = time.time() if now is None else now
    board = Board(day_start=local_day_start(now, config.time_zone), config=config.board)
    try:
        facts = await load_facts(board.day_start)
    except Exception as exc:
        log.warning("wallboard: could not read the database (%s)", exc)
    else:
        apply_queues(board, facts.queues)
        apply_agents(board, facts.agents)
        apply_campaigns(board, facts.campaigns)
    return BoardMessage("snapshot", "offline", 0, now, render(board, now), feeder="offline").to_json()


# ------------------------------------------------------------------ running inside the web server


class FeederHost:
    """Keeps one :class:`Feeder` running as a background task of this process's event loop.

    The web server's first wallboard connection starts it (``ensure_running``); it then runs
    for the life of the process, whether or not anyone watches, so counters stay continuous.
    """

    def __init__(self, make_feeder: Callable[[], Feeder]) -> None:
        self._make_feeder = make_feeder
        self._task: asyncio.Task[None] | None = None
        self.feeder: Feeder | None = None

    def ensure_running(self) -> Feeder:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self.feeder = self._make_feeder()
            self._task = loop.create_task(self.feeder.run(), name="wallboard-feeder")
            self._task.add_done_callback(self._ended)
        assert self.feeder is not None
        return self.feeder

    @staticmethod
    def _ended(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("wallboard feeder ended: %r", task.exception())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass


def _default_feeder() -> Feeder:
    from channels.layers import get_channel_layer

    return Feeder(FeederConfig.from_settings(), get_channel_layer())


embedded = FeederHost(_default_feeder)
