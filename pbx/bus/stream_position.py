"""Places in a Redis stream, for the ledger to say how far it has applied pbx's events."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

START = "0-0"  # before any entry


@dataclass(frozen=True, slots=True)
class StreamPosition:
    entry_id: str  # "<ms>-<seq>"
    # How many entries the stream had taken in all through this one (Redis 7's counter), when
    # known: the difference to the stream's says how many entries a trim removed unapplied.
    entries_added: int | None = None


def entry_key(entry_id: str) -> tuple[int, int]:
    """An entry id as something that orders like Redis orders them ("10-0" after "9-5")."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True, slots=True)
class StreamState:
    """XINFO STREAM, the parts the ledger's catch-up needs."""

    last: StreamPosition  # the last id handed out (the entry may be trimmed since)
    length: int
    max_deleted: str  # the highest id a trim removed (START if none; Redis 7)
    first: str | None  # the oldest entry still there

    @property
    def trimmed(self) -> int | None:
        """Entries removed from the head in all (None before Redis 7)."""
        added = self.last.entries_added
        return None if added is None else added - self.length


async def stream_state(client: aioredis.Redis, stream: str) -> StreamState:
    try:
        info = await client.xinfo_stream(stream)
    except ResponseError as exc:
        if "no such key" not in str(exc).lower():
            raise
        return StreamState(StreamPosition(START, 0), 0, START, None)
    # redis-py gives XINFO's field names as text, its ids as bytes unless told otherwise.
    added, first = info.get("entries-added"), info.get("first-entry")
    return StreamState(
        last=StreamPosition(text(info["last-generated-id"]), None if added is None else int(added)),
        length=int(info["length"]),
        max_deleted=text(info.get("max-deleted-entry-id") or START),
        first=text(first[0]) if first else None,
    )
