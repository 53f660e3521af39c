"""Consume commands from the Redis stream through a consumer group.

An entry is acknowledged only after the handlers of its read have returned, so a command
read just before pbx died is delivered again on restart (pending entries are read first). A
malformed command is answered with a ``command.rejected`` event, copied to a rejected stream
and acknowledged: it can never block the ones behind it.

The commands of one read are handled together, up to ``concurrency`` at a time, and the next
read does not wait for them: an originate spends most of its time waiting for Asterisk, and a
burst of them from the dialer should not queue behind each other (nor behind one slow
request). Commands for the same call keep their order, across reads too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from pbx.api import (
    COMMAND_GROUP,
    COMMANDS_REJECTED_STREAM,
    COMMANDS_STREAM,
    Command,
    CommandRejected,
    SchemaError,
    parse_command,
)
from pbx.bus.publisher import EventPublisher

log = logging.getLogger(__name__)

Handler = Callable[[Command], Awaitable[None]]


class CommandConsumer:
    def __init__(self, client: aioredis.Redis, publisher: EventPublisher, consumer: str = "pbx-1",
                 stream: str = COMMANDS_STREAM, group: str = COMMAND_GROUP, concurrency: int = 32) -> None:  # fmt: skip
        self._redis = client
        self._concurrency = max(1, concurrency)
        self._slots = asyncio.Semaphore(self._concurrency)
        self._in_hand = 0  # commands read and not yet finished
        self._last_of_call: dict[str, asyncio.Task[None]] = {}
        self._reads: set[asyncio.Task[None]] = set()  # reads being handled, across runs
        self._publisher = publisher
        self._consumer = consumer
        self._stream = stream
        self._group = group
        self.handled = 0
        self.rejected = 0

    async def ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self, handle: Handler, block_ms: int = 1000) -> None:
        await self.ensure_group()
        await self._drain_pending(handle)
        # Then new entries, read while earlier reads are still being handled: one slow originate
        # (Asterisk busy, a request timing out) must not hold up the commands behind it.
        reads = self._reads
        try:
            while True:
                _reap(reads)
                reply = await self._redis.xreadgroup(self._group, self._consumer, {self._stream: ">"}, count=50,
                                                     block=block_ms)  # fmt: skip
                entries = reply[0][1] if reply else []
                if not entries:
                    continue
                self._in_hand += len(entries)
                read = asyncio.create_task(self._handle_read(handle, entries))
                read.add_done_callback(lambda _, n=len(entries): self._put_down(n))
                reads.add(read)
                # A bounded number of commands in hand: the rest wait in the stream.
                while self._in_hand >= 4 * self._concurrency and reads:
                    await asyncio.wait(reads, return_when=asyncio.FIRST_COMPLETED)
                    _reap(reads)
        except asyncio.CancelledError:
            for read in reads:
                read.cancel()  # pbx stopping: not acknowledged, delivered again after a restart
            raise
        # Redis failing under the read loop: the commands in hand carry on (their acknowledgement
        # may fail: redelivered, a no-op). Cancelled, an originate would leave its call dialling
        # forever, and its redelivery be skipped as a call that already exists.

    def _put_down(self, commands: int) -> None:
        self._in_hand -= commands

    async def _drain_pending(self, handle: Handler) -> None:
        """Entries delivered to us before a crash and never acknowledged, one read at a time."""
        while True:
            reply = await self._redis.xreadgroup(self._group, self._consumer, {self._stream: "0"}, count=50)
            entries = reply[0][1] if reply else []
            if not entries:
                return
            await self._handle_read(handle, entries)

    async def _handle_read(self, handle: Handler, entries: list) -> None:
        by_call: dict[str, list] = {}
        for entry_id, fields in entries:
            by_call.setdefault(_call_key(fields) or str(entry_id), []).append((entry_id, fields))

        done: list[bytes | str] = []

        async def in_order(key: str, items: list) -> None:
            # A call's commands from an earlier read go first (an originate before its hang-up).
            earlier = self._last_of_call.get(key)
            this = asyncio.current_task()
            self._last_of_call[key] = this
            try:
                if earlier is not None:
                    await asyncio.wait([earlier])
                for entry_id, fields in items:
                    async with self._slots:
                        if await self._handle_one(handle, entry_id, fields):
                            done.append(entry_id)
            finally:
                if self._last_of_call.get(key) is this:
                    del self._last_of_call[key]

        results = await asyncio.gather(*(asyncio.create_task(in_order(key, items)) for key, items in by_call.items()),
                                       return_exceptions=True)  # fmt: skip
        if done:  # one acknowledgement for the read (a crash before it redelivers: originate is idempotent)
            await self._redis.xack(self._stream, self._group, *done)
            self.handled += len(done)
        # Redis failing under one of them (a rejection's XADD): the others have finished; the caller retries.
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _handle_one(self, handle: Handler, entry_id: bytes | str, fields: dict) -> bool:
        """True if handled (to acknowledge); a rejected command is acknowledged here."""
        try:
            command = parse_command(fields)
        except SchemaError as exc:
            await self._reject(entry_id, fields, str(exc), command_id=_raw_command_id(fields))
            return False
        try:
            await handle(command)
        except asyncio.CancelledError:
            raise  # not acknowledged: redelivered after restart
        except Exception as exc:  # a handler failure is reported, never silently dropped
            log.exception("command %s failed", command.command_id)
            await self._reject(entry_id, fields, f"{type(exc).__name__}: {exc}", command.command_id,
                               call_id=getattr(command, "call_id", None))  # fmt: skip
            return False
        return True

    async def _reject(self, entry_id: bytes | str, fields: dict, error: str, command_id: str,
                      call_id: str | None = None) -> None:  # fmt: skip
        self.rejected += 1
        log.warning("command rejected: %s", error)
        await self._redis.xadd(COMMANDS_REJECTED_STREAM, {**fields, "error": error}, maxlen=10_000)
        await self._publisher.publish(CommandRejected(command_id=command_id, error=error, call_id=call_id))
        await self._redis.xack(self._stream, self._group, entry_id)


def _reap(reads: set[asyncio.Task[None]]) -> None:
    """Forget the reads that finished; raise the first one's failure (Redis failing under a
    rejection's XADD: the caller retries)."""
    for read in [r for r in reads if r.done()]:
        reads.discard(read)
        read.result()


def _raw_field(fields: dict, name: str) -> str:
    try:
        data = json.loads(fields.get(b"data") or fields.get("data") or "{}")
        value = data.get(name) if isinstance(data, dict) else None
    except ValueError:
        return ""
    return str(value) if value is not None else ""


def _raw_command_id(fields: dict) -> str:
    return _raw_field(fields, "command_id")


def _call_key(fields: dict) -> str:
    return _raw_field(fields, "call_id")
