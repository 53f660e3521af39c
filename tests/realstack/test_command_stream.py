"""Commands on a real Redis stream: nothing lost across a restart, bad ones rejected and skipped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from ops.stack.redis_server import RedisServer
from pbx.api import COMMANDS_REJECTED_STREAM, HangupCall, parse_event, to_fields
from pbx.bus.commands import CommandConsumer
from pbx.bus.publisher import EventPublisher

pytestmark = pytest.mark.realstack


@contextlib.asynccontextmanager
async def _bus(redis_server: RedisServer, events_stream: str) -> AsyncIterator[tuple[aioredis.Redis, EventPublisher]]:
    """A client of the real Redis and a publisher onto ``events_stream``; the client closed after."""
    client = aioredis.from_url(redis_server.url)
    try:
        yield client, EventPublisher(client, stream=events_stream)
    finally:
        await client.aclose()


async def _run_until(consumer: CommandConsumer, handle, count: int) -> None:
    task = asyncio.create_task(consumer.run(handle, block_ms=100))
    try:
        async with asyncio.timeout(10):
            while consumer.handled + consumer.rejected < count:
                await asyncio.sleep(0.02)
    finally:
        task.cancel()


def test_unacknowledged_command_is_redelivered_and_bad_ones_are_rejected(redis_server: RedisServer) -> None:
    stream = "test:commands:redelivery"

    async def go() -> None:
        async with _bus(redis_server, "test:events:redelivery") as (client, publisher):
            good = HangupCall(call_id="c1")
            await client.xadd(stream, {"v": "1", "type": "hangup", "data": "{broken"})
            await client.xadd(stream, to_fields(good))

            crashed = CommandConsumer(client, publisher, consumer="pbx-a", stream=stream)

            async def crash(command) -> None:
                raise asyncio.CancelledError  # pbx killed while handling: the entry stays pending

            task = asyncio.create_task(crashed.run(crash, block_ms=100))
            await asyncio.sleep(0.5)
            task.cancel()
            assert crashed.rejected == 1 and crashed.handled == 0

            seen = []

            async def handle(command) -> None:
                seen.append(command)

            restarted = CommandConsumer(client, publisher, consumer="pbx-a", stream=stream)
            await _run_until(restarted, handle, 1)
            assert await publisher.flush()
            assert seen == [good]
            assert (await client.xpending(stream, "pbx"))["pending"] == 0
            [(_, rejected)] = await client.xrange(COMMANDS_REJECTED_STREAM, count=1)
            assert b"not JSON" in rejected[b"error"]
            [event] = [parse_event(f) for _, f in await client.xrange("test:events:redelivery")]
            assert event.type == "command.rejected" and "not JSON" in event.error

    asyncio.run(go())


def test_concurrent_publishes_send_each_event_once(redis_server: RedisServer) -> None:
    from pbx.api import CallAnswered

    async def go() -> None:
        async with _bus(redis_server, "test:events:concurrent") as (client, publisher):
            await asyncio.gather(*(publisher.publish(CallAnswered(call_id=f"c{i}")) for i in range(200)))
            assert await publisher.flush()
            entries = await client.xrange("test:events:concurrent")
            assert sorted(parse_event(f).call_id for _, f in entries) == sorted(f"c{i}" for i in range(200))
            assert publisher.backlog == 0

    asyncio.run(go())


def test_commands_for_different_calls_run_together_and_one_calls_commands_in_order(redis_server: RedisServer) -> None:
    from pbx.api import OriginateCall

    stream = "test:commands:concurrent"

    async def go() -> None:
        async with _bus(redis_server, "test:events:concurrent-commands") as (client, publisher):
            commands = [OriginateCall(call_id=f"c{i}", endpoint=f"PJSIP/+9198000000{i:02d}@trunk", flow="f")
                        for i in range(12)]  # fmt: skip
            commands.insert(3, HangupCall(call_id="c0"))  # must wait for c0's originate
            for command in commands:
                await client.xadd(stream, to_fields(command))
            in_flight, most, done = 0, 0, []

            async def handle(command) -> None:
                nonlocal in_flight, most
                in_flight += 1
                most = max(most, in_flight)
                await asyncio.sleep(0.05)  # an ARI request's wait
                in_flight -= 1
                done.append((command.type, command.call_id))

            consumer = CommandConsumer(client, publisher, consumer="pbx-c", stream=stream, concurrency=4)
            await _run_until(consumer, handle, len(commands))
            assert most == 4  # bounded, but not one at a time
            assert done.index(("hangup", "c0")) > done.index(("originate", "c0"))
            assert sorted(done) == sorted((c.type, c.call_id) for c in commands)
            assert (await client.xpending(stream, "pbx"))["pending"] == 0

    asyncio.run(go())


def test_a_burst_of_events_reaches_the_stream_in_publish_order(redis_server: RedisServer) -> None:
    from pbx.api import CallAnswered

    async def go() -> None:
        async with _bus(redis_server, "test:events:order") as (client, publisher):
            # Publishers that do not wait for each other, as the engine's call tasks do.
            await asyncio.gather(*(publisher.publish(CallAnswered(call_id=f"c{i}")) for i in range(450)))
            assert await publisher.flush()
            entries = await client.xrange("test:events:order")
            assert [parse_event(f).call_id for _, f in entries] == [f"c{i}" for i in range(450)]

    asyncio.run(go())


def test_a_slow_command_does_not_hold_up_the_next_reads(redis_server: RedisServer) -> None:
    """A read is handled while the next one is read: an originate stuck on a slow ARI request
    delays neither later calls' commands nor, beyond its own, its call's later ones."""
    from pbx.api import OriginateCall

    stream = "test:commands:overlap"

    async def go() -> None:
        async with _bus(redis_server, "test:events:overlap") as (client, publisher):
            done: list[tuple[str, str]] = []
            release = asyncio.Event()

            async def handle(command) -> None:
                if command.call_id == "slow" and command.type == "originate":
                    await release.wait()  # Asterisk taking its time over this one
                done.append((command.type, command.call_id))

            consumer = CommandConsumer(client, publisher, consumer="pbx-o", stream=stream, concurrency=4)
            task = asyncio.create_task(consumer.run(handle, block_ms=50))
            try:
                await client.xadd(stream, to_fields(OriginateCall(call_id="slow", endpoint="PJSIP/+919800000001@trunk",
                                                                  flow="f")))  # fmt: skip
                await asyncio.sleep(0.2)  # its read is in hand
                await client.xadd(stream, to_fields(HangupCall(call_id="slow")))
                for i in range(3):
                    await client.xadd(stream, to_fields(OriginateCall(call_id=f"c{i}", endpoint="PJSIP/+919800000002@trunk",
                                                                      flow="f")))  # fmt: skip
                async with asyncio.timeout(5):
                    while len(done) < 3:
                        await asyncio.sleep(0.02)
                assert sorted(done) == [("originate", "c0"), ("originate", "c1"), ("originate", "c2")]
                release.set()
                async with asyncio.timeout(5):
                    while len(done) < 5:
                        await asyncio.sleep(0.02)
                assert done[3:] == [("originate", "slow"), ("hangup", "slow")]
                async with asyncio.timeout(5):
                    while (await client.xpending(stream, "pbx"))["pending"]:
                        await asyncio.sleep(0.02)
            finally:
                task.cancel()

    asyncio.run(go())


def test_commands_in_hand_are_bounded_while_handlers_are_stuck(redis_server: RedisServer) -> None:
    """Reads go on while earlier ones are handled, but only up to four times the concurrency:
    the rest stay in the stream (undelivered) until handlers finish."""
    stream = "test:commands:bounded"

    async def go() -> None:
        async with _bus(redis_server, "test:events:bounded") as (client, publisher):
            release = asyncio.Event()
            handled: list[str] = []

            async def handle(command) -> None:
                await release.wait()
                handled.append(command.call_id)

            consumer = CommandConsumer(client, publisher, consumer="pbx-b", stream=stream, concurrency=1)
            task = asyncio.create_task(consumer.run(handle, block_ms=50))
            try:
                for i in range(10):
                    await client.xadd(stream, to_fields(HangupCall(call_id=f"c{i}")))
                    await asyncio.sleep(0.05)  # one read each
                await asyncio.sleep(0.3)
                assert (await client.xpending(stream, "pbx"))["pending"] == 4  # read and in hand, no more
                release.set()
                async with asyncio.timeout(5):
                    while len(handled) < 10:
                        await asyncio.sleep(0.02)
                assert handled == [f"c{i}" for i in range(10)]
            finally:
                task.cancel()

    asyncio.run(go())


def test_a_command_in_hand_finishes_when_redis_fails_under_the_read_loop(redis_server: RedisServer) -> None:
    """Redis gone mid-command (killed, restarted): the read loop fails, but the handler carries
    on (an originate cancelled there left its call dialling forever); its redelivery is then
    handled again and acknowledged."""
    stream = "test:commands:redis-fails"

    async def go() -> None:
        async with _bus(redis_server, "test:events:redis-fails") as (client, publisher):
            release = asyncio.Event()
            started: list[str] = []
            finished: list[str] = []

            async def handle(command) -> None:
                started.append(command.call_id)
                await release.wait()
                finished.append(command.call_id)

            consumer = CommandConsumer(client, publisher, consumer="pbx-f", stream=stream)
            task = asyncio.create_task(consumer.run(handle, block_ms=200))
            await client.xadd(stream, to_fields(HangupCall(call_id="c1")))
            async with asyncio.timeout(5):
                while not started:
                    await asyncio.sleep(0.02)
            # Every connection of the consumer's client dropped, the blocked read's too.
            killer = aioredis.from_url(redis_server.url)
            try:
                await killer.client_kill_filter(_type="normal", skipme=True)
            finally:
                await killer.aclose()
            async with asyncio.timeout(5):
                with pytest.raises(RedisError):  # the read loop's connection error, for the caller to retry
                    await task
            release.set()
            async with asyncio.timeout(5):
                while not finished:
                    await asyncio.sleep(0.02)
            assert finished == ["c1"]
            # The run after the reconnect: the command, delivered again, handled and acknowledged.
            task = asyncio.create_task(consumer.run(handle, block_ms=100))
            try:
                async with asyncio.timeout(5):
                    while (await client.xpending(stream, "pbx"))["pending"]:
                        await asyncio.sleep(0.05)
            finally:
                task.cancel()

    asyncio.run(go())
