"""Composition root of the pbx service: builds the connections and runs them together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web
from redis.exceptions import RedisError

from pbx.ami import AmiLink
from pbx.ami_listener import AmiEvent, AmiQueueListener
from pbx.api import (
    INBOUND_WAITING_KEY,
    LIVE_COUNTS_KEY,
    PBX_GAUGES_KEY,
    Command,
    InboundRoute,
    InboundWaiting,
    LiveCounts,
    PbxGauges,
)
from pbx.ari.client import AriError, HttpAriRest
from pbx.ari.connection import AriEventStream
from pbx.ari.events import AriEvent
from pbx.backoff import Backoff
from pbx.bus.commands import CommandConsumer
from pbx.bus.ledger_catchup import LedgerCatchUp
from pbx.bus.ledger_follower import LedgerFollower
from pbx.bus.ledger_sink import LedgerSink
from pbx.bus.publisher import EventPublisher
from pbx.calls.engine import CallEngine
from pbx.calls.protocols import ConversationFactory, PromptFileMaker
from pbx.calls.queue_callers import QueueCallers
from pbx.calls.queue_tracking import other_queue_activity
from pbx.config_snapshot import ConfigCache
from pbx.health import health_app
from pbx.ledger import LedgerWriter, ledger_url_from_env, make_engine
from pbx.ledger.batch import ThreadedBatches
from pbx.ledger.db import make_sqlite_thread_engine
from pbx.media.codec import FORMATS
from pbx.metrics import PbxMetrics, pbx_metrics
from pbx.settings import PbxSettings
from pbx.telephony_sync import TelephonySync

log = logging.getLogger(__name__)


class PbxService:
    def __init__(self, settings: PbxSettings, session: aiohttp.ClientSession, redis: aioredis.Redis,
                 conversations: ConversationFactory, prompt_files: PromptFileMaker | None = None,
                 bot_status: dict[str, Any] | None = None,
                 dial_session: aiohttp.ClientSession | None = None,
                 metrics: PbxMetrics | None = None) -> None:  # fmt: skip
        """``metrics``: counts what pbx publishes (``GET /metrics``); the process's own by default."""
        self.settings = settings
        self.started_at = time.time()
        self.redis = redis
        self.rest = HttpAriRest(session, settings.ari_url, settings.ari_user, settings.ari_password)
        self.events = AriEventStream(
            session, settings.ari_url, settings.ari_user, settings.ari_password, settings.ari_app,
            Backoff(settings.reconnect_min_s, settings.reconnect_max_s),
        )  # fmt: skip
        self.ami = AmiLink(settings.ami_host, settings.ami_port, settings.ami_user, settings.ami_secret)
        self.ami_events = AmiQueueListener(self.ami)
        self.publisher = EventPublisher(redis)
        self.publisher.attach((metrics or pbx_metrics()).observe)
        self.queue_callers = QueueCallers()
        dial_rest = (HttpAriRest(dial_session, settings.ari_url, settings.ari_user, settings.ari_password)
                     if dial_session is not None else None)  # fmt: skip
        self.config = ConfigCache(redis)
        self.engine = CallEngine(
            self.rest, self.publisher.publish, settings.ari_app, conversations,
            FORMATS[settings.media_format], failsafe_queue=settings.failsafe_queue, prompt_files=prompt_files,
            inbound_routes=self._inbound_route, dial_rest=dial_rest, ami=self.ami.action,
        )  # fmt: skip
        self.bot_status = bot_status or {"ready": True}
        self.commands = CommandConsumer(redis, self.publisher, consumer=settings.consumer_name,
                                        concurrency=settings.command_concurrency)  # fmt: skip
        self.ari_ready = asyncio.Event()
        self.asterisk_version: str | None = None
        self.ari_events_filtered = False
        self.orphans_handed_over = 0
        self.calls_lost = 0  # ended because Asterisk no longer had their channel (it restarted)
        self.redis_error: str | None = None
        self.ledger: LedgerFollower | None = None
        self.telephony = (TelephonySync(redis, self.ami.action, Path(settings.asterisk_etc_dir))
                          if settings.asterisk_etc_dir else None)  # fmt: skip

    def follow_with_ledger(self, ledger: LedgerFollower) -> None:
        self.ledger = ledger
        self.publisher.attach(ledger.submit, ledger.on_stream)

    async def _inbound_route(self, did: str) -> InboundRoute | None:
        return (await self.config.current()).route_for(did)

    async def on_ari_connect(self) -> None:
        # Healthy, and commands handled, only once this has run: the filter is set and the
        # calls Asterisk lost while we were away are ended (a restart says nothing about them).
        self.ari_ready.clear()
        info = await self.rest.get("asterisk/info")
        self.asterisk_version = info.get("system", {}).get("version")
        await self._filter_ari_events()
        lost = await self.engine.end_lost_calls()
        self.calls_lost += len(lost)
        if lost:
            log.warning("reconnected: %d call(s) Asterisk no longer had were ended", len(lost))
        # Calls left in our app while we were away: nobody knows their state, so a human takes them.
        moved = await self.engine.reconcile()
        self.orphans_handed_over += len(moved)
        if moved:
            log.warning("reconnected: %d orphaned call(s) handed to the fail-safe queue", len(moved))
        self.ari_ready.set()

    def on_ari_disconnect(self) -> None:
        self.ari_ready.clear()

    async def _filter_ari_events(self) -> None:
        """Only the event types the engine acts on (its ARI handler table's keys): a dialled call
        also brings Dial (twice), ChannelStateChange and ChannelVarset, each a JSON snapshot of
        the channel that Asterisk would serialise and pbx parse for nothing."""
        types = self.engine.handled_event_types()
        try:
            await self.rest.put(f"applications/{self.settings.ari_app}/eventFilter",
                                body={"allowed": [{"type": name} for name in types]})  # fmt: skip
            self.ari_events_filtered = True
        except AriError as exc:  # nothing lost: every event still comes, only at a cost
            self.ari_events_filtered = False
            log.warning("ARI event filter not set (%s); receiving every event", exc)

    async def on_ari_event(self, event: AriEvent) -> None:
        await self.engine.on_event(event)

    async def publish_queue_event(self, event: AmiEvent) -> None:
        """Every queue/agent event, ours or not, for the wallboard and the console."""
        if event.name == "Hangup":
            return
        if event.call_id in self.engine.calls:
            return  # the engine publishes these itself, with the transfer's timings
        for activity in other_queue_activity(event):
            await self.publisher.publish(activity)

    async def handle_command(self, command: Command) -> None:
        # Originating needs ARI: commands wait (unacknowledged) while it is down or reconnecting.
        await self.ari_ready.wait()
        await self.engine.handle_command(command)

    async def run_commands(self) -> None:
        await self.ari_ready.wait()
        backoff = Backoff(self.settings.reconnect_min_s, self.settings.reconnect_max_s)
        while True:
            try:
                await self.commands.run(self.handle_command)
            except (RedisError, OSError) as exc:
                self.redis_error = str(exc)
                delay = backoff.next_delay()
                log.warning("command stream unreachable (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)

    async def publish_live_counts(self, every_s: float = 1.0) -> None:
        while True:
            now = time.time()
            counts = LiveCounts(**self.engine.live_counts(), updated_at=now)
            waiting = InboundWaiting(queues=self.engine.inbound_waiting(), updated_at=now)
            gauges = PbxGauges(calls=self.engine.calls_by_direction(),
                               queue_callers=self.queue_callers.counts() or {}, updated_at=now)  # fmt: skip
            try:
                await self.redis.hset(LIVE_COUNTS_KEY, mapping=counts.to_hash())
                # Rewritten whole: a queue nobody waits in any more must not keep its last count.
                pipe = self.redis.pipeline(transaction=True)
                pipe.delete(INBOUND_WAITING_KEY, PBX_GAUGES_KEY)
                pipe.hset(INBOUND_WAITING_KEY, mapping=waiting.to_hash())
                pipe.hset(PBX_GAUGES_KEY, mapping=gauges.to_hash())
                await pipe.execute()
                await self.publisher.flush()
                self.redis_error = None
            except (RedisError, OSError) as exc:
                self.redis_error = str(exc)
            await asyncio.sleep(every_s)

    async def follow_queue_callers(self, every_s: float = 1.0) -> None:
        """Asterisk's callers per queue, read again at each AMI login (beside the live counts'
        loop: an AMI action that takes its time must not hold the dialer's counts back)."""
        while True:
            await self.queue_callers.follow(self.ami.logged_in, self.ami.logins, self.ami.action)
            await asyncio.sleep(every_s)

    def report(self) -> dict[str, Any]:
        return {
            # Connected is not enough: ok once the connect handling (filter, lost calls) is done.
            "ok": self.events.connected and self.ari_ready.is_set() and self.ami.logged_in,
            "uptime_s": round(time.time() - self.started_at, 1),
            "ari": {
                "connected": self.events.connected,
                "app": self.settings.ari_app,
                "asterisk_version": self.asterisk_version,
                "reconnects": self.events.reconnects,
                "events_filtered": self.ari_events_filtered,
                "last_error": self.events.last_error,
            },
            "ami": {"logged_in": self.ami.logged_in, "last_error": self.ami.last_error,
                    "filtered": self.ami.filtered, "dropped_events": self.ami_events.dropped},  # fmt: skip
            "calls": self.engine.live_counts(),
            "reserved_agents": self.engine.reservations.held,
            "commands": {"handled": self.commands.handled, "rejected": self.commands.rejected},
            "redis": {"error": self.redis_error, "events_waiting": self.publisher.backlog},
            "ledger": self.ledger.report() if self.ledger is not None else None,
            "orphans_handed_over": self.orphans_handed_over,
            "calls_lost": self.calls_lost,
            "telephony": self.telephony.report() if self.telephony is not None else None,
            "bot": self.bot_status,
        }


async def serve(settings: PbxSettings, conversations: ConversationFactory, prompt_files: PromptFileMaker | None = None,
                bot_status: dict[str, Any] | None = None,
                on_started: Callable[[PbxService], None] | None = None) -> None:  # fmt: skip
    redis = aioredis.from_url(settings.redis_url)
    ledger_url = ledger_url_from_env(os.environ)
    ledger = make_engine(ledger_url)
    thread_engine = make_sqlite_thread_engine(ledger_url)
    # One more connection than the REST requests get: the events websocket holds one for good.
    connector = aiohttp.TCPConnector(limit=settings.ari_connections + 1)
    async with aiohttp.ClientSession(connector=connector) as session, \
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=settings.ari_dial_connections)) as dialling:
        service = PbxService(settings, session, redis, conversations, prompt_files, bot_status, dialling)
        batches = ThreadedBatches(thread_engine) if thread_engine is not None else None
        sink = LedgerSink(LedgerWriter(ledger), batches)
        follower = LedgerFollower(sink.write_batch)
        service.follow_with_ledger(follower)
        catch_up = LedgerCatchUp(redis, follower, sink.position, service.publisher.handover)
        runner = web.AppRunner(health_app(service.report), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.health_host, settings.health_port).start()
        log.info("pbx health on http://%s:%s/health", settings.health_host, settings.health_port)
        await service.ami.start()
        if on_started is not None:
            on_started(service)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(service.events.run(service.on_ari_event, service.on_ari_connect,
                                                     service.on_ari_disconnect))  # fmt: skip
                ami_handlers = [service.engine.on_ami_event, service.publish_queue_event,
                                service.queue_callers.on_ami_event]
                group.create_task(service.ami_events.run(ami_handlers))
                group.create_task(service.run_commands())
                group.create_task(service.publish_live_counts())
                group.create_task(service.follow_queue_callers())
                group.create_task(follower.run())
                group.create_task(catch_up.run())
                # Agents a pbx that died left reserved go back to their queues (then checked every minute).
                group.create_task(service.engine.reservations.release_stale_forever(lambda: service.ami.logged_in))
                if service.telephony is not None:
                    group.create_task(service.telephony.run())
        finally:
            with contextlib.suppress(Exception):  # never leave an agent paused for a call pbx no longer follows
                await asyncio.wait_for(service.engine.reservations.release_all(), 5.0)
            service.ami.close()
            with contextlib.suppress(Exception):  # the last events on the stream, if Redis takes them
                await asyncio.wait_for(service.publisher.flush(), 5.0)
            await follower.drain(timeout_s=5.0)
            await runner.cleanup()
            with contextlib.suppress(Exception):
                await redis.aclose()
            await ledger.dispose()
            if thread_engine is not None:
                thread_engine.dispose()
