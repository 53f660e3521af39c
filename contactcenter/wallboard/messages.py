"""What a wallboard page receives: a typed :class:`BoardMessage`, and the board it gets on connect
(the feeder's stored snapshot, or one built from the database alone while no feeder runs)."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Literal

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from contactcenter.wallboard.board import Board, apply_agents, apply_campaigns, apply_queues
from contactcenter.wallboard.config import FeederConfig
from contactcenter.wallboard.facts import LoadFacts, load_facts_async, local_day_start
from contactcenter.wallboard.sections import Display, render

log = logging.getLogger(__name__)

MESSAGE_TYPE = "wallboard.update"  # the consumer's handler: ``wallboard_update``


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
    return BoardMessage("snapshot", "offline", 0, now, render(board, now, display=Display(config.thresholds)),
                        feeder="offline").to_json()
