"""Originate rate of our dialer path against raw ARI originates, on one throwaway stack.

    python -m benchmarks dialer --json [--calls 50] [--rounds 5] [--hold-ms 3000] [--tick-s 1.0]
                                [--after-answer both|hold|bot] [--profile-pbx] [--keep]

One run starts its own Asterisk (from the shared chroot, on free ports), Redis, and one sipp
process as the customers behind Asterisk's trunk: every call is answered at once, held
``--hold-ms`` and hung up by the customer. Then, on the same machine and stack, ``--rounds``
times one after the other (each side's burst of 50 calls lasts a tenth of a second, so one
burst says little; the round with the median rate of each side is reported):

- **raw**: ``--calls`` originates ``POST /ari/channels`` (``PJSIP/<n>@trunk`` into a Stasis app
  of this process), all sent at once over 8 connections; ``raw_originate_per_s`` = calls /
  seconds from the first POST until the last call's ``StasisStart`` (answered), timed by
  Asterisk's event timestamp.
- **ours**: the real path. A Django campaign (temporary SQLite database, the same file the
  call ledger uses, as in the stack) of ``--calls`` leads in AI-first mode with a line per lead
  and agents enough that pacing is never human-bound; the real :class:`Dialer` ticks every
  ``--tick-s`` and the real :class:`EventConsumer` polls in between, as ``manage.py dialer``
  does (after a two-lead warm-up campaign: a running dialer has ticked before); the commands
  go over Redis to ``python -m pbx`` (started as the tests start it), which originates through
  ARI. ``originate_per_s`` = calls / seconds from the dialer's first tick until the last
  ``call.answered`` event of pbx, whose time is the answer's ``StasisStart`` timestamp from
  Asterisk, as on the raw side. The headline holds each answered call as the raw side does
  (``--after-answer hold``); ``with_bot`` is the same with pbx's bot on every answered call.

``ratio`` = originate_per_s / raw_originate_per_s (the median rounds). Also reported: where the
time of our path goes (``ours_breakdown_s``: the dialer's first tick, the first and last command
on the stream, pbx's last ``call.started``, the last answer), the CPU each process spent during
the median round (``cpu_s``, ``raw_cpu_s``), pbx alone fed the same commands directly
(``pbx_direct_*``), and both sides' answer counts (from ARI/pbx and from sipp; the fewest of any
round). Every process and temporary directory is removed at the end, also on error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import json
import os
import random
import shutil
import signal
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

from asterisk_config.render import AsteriskSettings
from contactcenter.site.config import StackConfig
from ops.simulator.sip_customers import SippCustomers
from ops.stack.asterisk import AsteriskInstance
from ops.stack.components import DIALER_NICE
from ops.stack.pbx_process import PbxProcess
from ops.stack.processes import free_port, wait_for
from ops.stack.redis_server import RedisServer
from pbx.api import AgentPhone, QueueMember, QueueSpec, Telephony, TrunkSpec, md5_cred
from pbx.ari.client import HttpAriRest
from pbx.ari.connection import AriEventStream
from pbx.ari.events import AriEvent
from pbx.backoff import Backoff

from ._cpu import CpuMeter, wait_until_quiet

PBX_APP = "ccbench"
RAW_APP = "ccbench-raw"
RAW_CONNECTIONS = 8
ORDER = {"order_id": "A1001", "item": "a steel water bottle", "amount": "499", "currency": "rupees"}


# ------------------------------------------------------------------ the stack


def _asterisk(root: Path, work: Path, trunk_port: int, calls: int, agents: int = 2,
              agent_port: int | None = None) -> AsteriskInstance:  # fmt: skip
    """``agent_port``: the agents' phones are reached there (one sipp process answering for all
    of them, as the load benchmark's); else they are never rung."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    # Each answered call of ours holds the customer's RTP session and pbx's ExternalMedia one
    # (RTP + RTCP ports each); a random block keeps clear of other instances.
    size = max(400, 8 * calls + 200)
    rtp_start = random.randrange(20000, 32000 - size, 2)
    names = [f"agent{i + 1}" for i in range(agents)]
    phones = tuple(AgentPhone(name=n, md5_cred=md5_cred(n, uuid.uuid4().hex),
                              static_contact=f"sip:{n}@127.0.0.1:{agent_port}" if agent_port else "")
                   for n in names)  # fmt: skip
    settings = AsteriskSettings(
        instance=name, instance_dir=f"/srv/contactcenter/{name}", http_port=free_port(), ami_port=free_port(),
        sip_port=free_port(udp=True), rtp_start=rtp_start, rtp_end=rtp_start + size - 1, web_port=free_port(),
        ari_app=PBX_APP, ari_user="bench", ari_password=uuid.uuid4().hex, ami_user="bench",
        ami_secret=uuid.uuid4().hex,
        telephony=Telephony(agents=phones, queues=(QueueSpec(name="support",
                                                             members=tuple(QueueMember(agent=n) for n in names)),),
                            trunks=(TrunkSpec(name="trunk", host="127.0.0.1", port=trunk_port),)),
    )  # fmt: skip
    return AsteriskInstance(root, settings, work / "asterisk.log", work / "asterisk.pid")


def _throwaway_stack(cleanup: contextlib.ExitStack, root: Path, work: Path, trunk_port: int,
                     calls: int, agents: int = 2, agent_port: int | None = None,
                     ) -> tuple[AsteriskInstance, RedisServer]:  # fmt: skip
    """Asterisk and Redis started for one run; ``cleanup`` stops them and removes the instance."""
    asterisk = _asterisk(root, work, trunk_port, calls, agents, agent_port)
    cleanup.callback(shutil.rmtree, root / asterisk.settings.instance_dir.lstrip("/"), ignore_errors=True)
    cleanup.callback(asterisk.stop)
    asterisk.start()
    redis_server = RedisServer.throwaway(work / "redis")
    cleanup.callback(redis_server.stop)
    redis_server.start()
    return asterisk, redis_server


@contextlib.contextmanager
def _stopped_on_sigterm() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so the clean-up below runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _wait_ledger_idle(pbx: PbxProcess, timeout: float = 20.0) -> None:
    """Each run starts on a quiet system: pbx has written the previous run's events to the
    ledger (in the stack's layout the ledger shares Django's SQLite file and write lock)."""

    def idle() -> bool:
        with contextlib.suppress(Exception):
            return (pbx.health().get("ledger") or {}).get("pending", 1) == 0
        return False

    with contextlib.suppress(Exception):
        wait_for(idle, timeout, "pbx's ledger to catch up")


def _wait_no_channels(asterisk: AsteriskInstance, timeout: float) -> None:
    """Between the two runs: the first run's calls have ended (the customers hung up)."""

    def idle() -> bool:
        return "0 active channels" in asterisk.cli("core show channels count")

    try:
        wait_for(idle, timeout, "calls of the raw run to end")
    except Exception:
        asterisk.cli("channel request hangup all")
        time.sleep(0.5)


# ------------------------------------------------------------------ raw ARI


async def _raw_run(asterisk: AsteriskInstance, calls: int, timeout: float, meter: CpuMeter) -> dict[str, Any]:
    s = asterisk.settings
    answered: dict[str, float] = {}
    ids = {str(uuid.uuid4()) for _ in range(calls)}
    all_answered = asyncio.Event()
    connected = asyncio.Event()
    cpu: dict[str, float] = {}

    async def on_event(event: AriEvent) -> None:
        if event.type == "StasisStart" and event.channel_id in ids and event.channel_id not in answered:
            answered[event.channel_id] = event.at or time.time()
            if len(answered) == calls:
                all_answered.set()

    async def on_connect() -> None:
        connected.set()

    # At most RAW_CONNECTIONS requests in flight: 50 connections opened at once overflow the accept
    # backlog of Asterisk's HTTP server and some wait a full second for the SYN to be retried.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=RAW_CONNECTIONS)) as session:
        rest = HttpAriRest(session, asterisk.ari_url, s.ari_user, s.ari_password, timeout_s=30)
        stream = AriEventStream(session, asterisk.ari_url, s.ari_user, s.ari_password, RAW_APP, Backoff(0.1, 1))
        events = asyncio.create_task(stream.run(on_event, on_connect))
        try:
            await asyncio.wait_for(connected.wait(), 10)

            async def originate(i: int, channel_id: str) -> None:
                await rest.post("channels", endpoint=f"PJSIP/+91987{i:07d}@trunk", app=RAW_APP, appArgs="raw",
                                callerId="+911800100100", timeout=30, channelId=channel_id)  # fmt: skip

            meter.start()
            started = time.time()
            results = await asyncio.gather(*(originate(i, c) for i, c in enumerate(sorted(ids))),
                                           return_exceptions=True)  # fmt: skip
            posted = time.time()
            errors = [repr(r) for r in results if isinstance(r, BaseException)]
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(all_answered.wait(), timeout)
            cpu = meter.stop()
        finally:
            events.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await events
    last = max(answered.values(), default=time.time())
    elapsed = last - started
    return {
        "answered": len(answered),
        "errors": errors[:3],
        "posts_s": round(posted - started, 3),
        "answered_s": round(elapsed, 3),
        "per_s": round(len(answered) / elapsed, 2) if answered and elapsed > 0 else 0.0,
        "cpu_s": cpu,
    }


# ------------------------------------------------------------------ ours: Django dialer -> Redis -> pbx


def _setup_django(var_dir: Path, redis_url: str, immediate: bool) -> None:
    import django
    from django.conf import settings

    if settings.configured:
        # Our database and Redis must be the throwaway ones: never reuse a configured process.
        raise RuntimeError("run the dialer benchmark in its own process: python -m benchmarks dialer")
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings", "CC_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'contactcenter.sqlite3'}", "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": uuid.uuid4().hex,
    })  # fmt: skip
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    # With a deferred BEGIN, dial_lead's transaction reads, then writes; when pbx's ledger (same
    # SQLite file) committed in between, SQLite refuses the upgrade at once ("database is
    # locked", busy_timeout does not apply) and the dialer's tick raises. BEGIN IMMEDIATE takes
    # the write lock up front, as the ledger's own engine does (and as contactcenter/settings.py
    # now configures); "deferred" reproduces the failure.
    connections["default"].settings_dict["OPTIONS"]["transaction_mode"] = "IMMEDIATE" if immediate else "DEFERRED"
    call_command("migrate", verbosity=0, interactive=False)
    gc.freeze()  # as `manage.py dialer` does once Django is loaded


def _window_around_now(zone: str) -> list[dict]:
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(ZoneInfo(zone))
    start, end = now - dt.timedelta(hours=1), now + dt.timedelta(hours=2)
    return [{"days": list(range(7)), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}]


def _campaign(calls: int, label: str = "", prefix: str = "+91987"):
    from contactcenter.campaigns.models import Campaign, Lead
    from contactcenter.people.models import Agent, AgentState
    from contactcenter.people.models import HumanQueue as QueueModel

    support, _ = QueueModel.objects.get_or_create(name="support")
    # AI-first paces by expected escalations with a margin for chance (pacing.margin_calls): enough
    # free agents that humans are never the bound (50 calls at 5%: 11 agents; 3 held it to 22).
    prior = 0.05
    for i in range(calls // 5 + 1):
        agent, _ = Agent.objects.get_or_create(name=f"agent{i + 1}", defaults={"state": AgentState.AVAILABLE})
        agent.queues.add(support)
    campaign = Campaign(name=f"dialer benchmark {label}".strip(), type="order_confirmation", escalation_queue=support,
                        dial_mode="ai_first", max_concurrent_calls=calls, escalation_rate_prior=prior,
                        calling_windows=_window_around_now("Asia/Kolkata"), caller_id="+911800100100",
                        ring_timeout_s=30, webhook_url="")  # fmt: skip
    campaign.full_clean()
    campaign.save()
    # The same order on every lead: the bot's first prompt is synthesised once and cached, so
    # text-to-speech does not count against the dialer (it runs after the answer anyway).
    Lead.objects.bulk_create(
        Lead(campaign=campaign, phone=f"{prefix}{i:07d}", first_name="Ravi", time_zones=["Asia/Kolkata"],
             fields=dict(ORDER))
        for i in range(calls)
    )  # fmt: skip
    return campaign


class _EventWatch:
    """pbx's ``call.started`` / ``call.answered`` on the event stream, from now on, with pbx's own times."""

    def __init__(self, client) -> None:
        from pbx.api import EVENTS_STREAM

        self._client = client
        self._stream = EVENTS_STREAM
        newest = client.xrevrange(EVENTS_STREAM, count=1)
        self._last_id = newest[0][0] if newest else "0-0"  # earlier calls (the warm-up) are not ours
        self.started: dict[str, float] = {}
        self.answered: dict[str, float] = {}

    def read(self, block_ms: int | None = None) -> None:
        from pbx.api import parse_event

        for _, entries in self._client.xread({self._stream: self._last_id}, count=10_000, block=block_ms) or []:
            for entry_id, fields in entries:
                self._last_id = entry_id
                event = parse_event(fields)
                if event.type == "call.started":
                    self.started.setdefault(event.call_id or "", event.at)
                elif event.type == "call.answered":
                    self.answered.setdefault(event.call_id or "", event.at)

    def result(self, t0: float) -> dict[str, Any]:
        last = max(self.answered.values(), default=time.time())
        elapsed = last - t0
        starts = sorted(self.started.values())
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        waits = [self.answered[c] - self.started[c] for c in self.answered if c in self.started]
        return {
            "answered": len(self.answered),
            "per_s": round(len(self.answered) / elapsed, 2) if self.answered and elapsed > 0 else 0.0,
            "last_call_started_s": round(max(starts, default=t0) - t0, 3),
            "last_answered_s": round(elapsed, 3),
            # pbx handles commands one after another: the gap between two calls' call.started.
            "pbx_ms_per_originate": round(statistics.median(gaps) * 1000, 2) if gaps else None,
            "answer_ms_after_start": round(statistics.median(waits) * 1000, 2) if waits else None,
        }


def _direct_run(redis_url: str, calls: int, timeout: float, meter: CpuMeter) -> dict[str, Any]:
    """pbx alone: the same originate commands the dialer sends, all put on the stream at once."""
    import redis

    from pbx.api import COMMANDS_STREAM, OriginateCall, to_fields

    client = redis.Redis.from_url(redis_url)
    try:
        watch = _EventWatch(client)
        commands = [OriginateCall(endpoint=f"PJSIP/+91986{i:07d}@trunk", flow="order_confirmation",
                                  caller_id="+911800100100", lead={"first_name": "Ravi", **ORDER})
                    for i in range(calls)]  # fmt: skip
        meter.start()
        t0 = time.time()
        pipe = client.pipeline(transaction=False)
        for command in commands:
            pipe.xadd(COMMANDS_STREAM, to_fields(command))
        pipe.execute()
        deadline = time.monotonic() + timeout
        while len(watch.answered) < calls and time.monotonic() < deadline:
            watch.read(block_ms=100)
        return {**watch.result(t0), "cpu_s": meter.stop()}
    finally:
        client.close()


def _ours_run(redis_url: str, calls: int, tick_s: float, timeout: float, meter: CpuMeter, label: str = "",
              dialer_nice: int = DIALER_NICE) -> dict[str, Any]:
    import redis

    from contactcenter.campaigns import services
    from contactcenter.campaigns.dialer import Dialer
    from contactcenter.campaigns.models import Campaign
    from contactcenter.campaigns.pbx_events import CONSUMER_GROUP, EVENT_LINGER_MS, EventConsumer
    from contactcenter.campaigns.pbx_link import RedisPbxLink
    from pbx.api import COMMANDS_STREAM, EVENTS_STREAM, LIVE_COUNTS_KEY

    campaign = _campaign(calls, label)
    client = redis.Redis.from_url(redis_url)
    dialer = Dialer(RedisPbxLink(client))
    consumer = EventConsumer(client, consumer="bench-dialer")
    # A dialer that has kept up: its group starts after the warm-up's and the pbx-only run's
    # events (ensure_group would start at the stream's beginning).
    with contextlib.suppress(redis.ResponseError):
        client.xgroup_create(EVENTS_STREAM, CONSUMER_GROUP, id="$", mkstream=True)
    consumer.ensure_group()
    # A dialer that has kept up: what pbx reported before this round (the last round's hang-ups)
    # is applied before the clock starts, not inside the timed burst.
    consumer.poll(block_ms=None)  # delivered earlier and never acknowledged
    while consumer.poll(block_ms=None, count=500):
        pass
    services.do_change_campaign_status(campaign.pk, "start")
    # pbx's live counts (refreshed every second) must be there, or the dialer does not dial.
    wait_for(lambda: bool(client.hgetall(LIVE_COUNTS_KEY)), 10, "pbx live counts")
    watch = _EventWatch(client)
    previous_command = client.xrevrange(COMMANDS_STREAM, count=1)
    tick_costs: list[float] = []
    # As the stack runs `manage.py dialer` (below Asterisk's and pbx's priority); back after.
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    os.setpriority(os.PRIO_PROCESS, 0, dialer_nice)
    meter.start()
    t0 = time.time()
    deadline = time.monotonic() + timeout
    next_tick = 0.0
    # The loop of `manage.py dialer`: tick every tick_s, poll pbx's events in between (the
    # clock starts with the tick that sees the campaign running).
    while len(watch.answered) < calls and time.monotonic() < deadline:
        if time.monotonic() >= next_tick:
            next_tick = time.monotonic() + tick_s
            tick_start = time.perf_counter()
            dialer.tick()
            tick_costs.append(time.perf_counter() - tick_start)
        consumer.poll(block_ms=100, linger_ms=EVENT_LINGER_MS)
        watch.read()
    cpu = meter.stop()
    with contextlib.suppress(PermissionError):  # lowering it again needs root
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
    since = previous_command[0][0] if previous_command else b"0-0"
    commands = client.xrange(COMMANDS_STREAM, min=b"(" + since if previous_command else "-")
    sent_at = [int(entry_id.split(b"-")[0]) / 1000 for entry_id, _ in commands]
    first_command, last_command = min(sent_at, default=t0), max(sent_at, default=t0)
    client.close()
    Campaign.objects.filter(pk=campaign.pk).update(status="stopped")  # out of the next run's ticks
    result = watch.result(t0)
    return {
        **result,
        "commands": len(commands),
        "breakdown_s": {
            "first_tick": round(tick_costs[0], 3) if tick_costs else None,
            "first_command_sent": round(first_command - t0, 3),
            "last_command_sent": round(last_command - t0, 3),
            "last_call_started": result["last_call_started_s"],
            "last_answered": result["last_answered_s"],
        },
        "ticks": len(tick_costs),
        "cpu_s": cpu,
    }


def _warm_up_dialer(redis_url: str, timeout: float, label: str) -> None:
    """A running dialer has ticked before: a two-lead campaign goes through the same path first,
    so that the timed tick is not this process's first (lazy imports, the phone numbers'
    metadata, the interpreter's warm-up made a first tick half again as slow as the next)."""
    import redis

    from contactcenter.campaigns import services
    from contactcenter.campaigns.dialer import Dialer
    from contactcenter.campaigns.models import Campaign
    from contactcenter.campaigns.pbx_events import EVENT_LINGER_MS, EventConsumer
    from contactcenter.campaigns.pbx_link import RedisPbxLink

    client = redis.Redis.from_url(redis_url)
    try:
        campaign = _campaign(2, f"warm-up {label}", prefix="+91985")
        services.do_change_campaign_status(campaign.pk, "start")
        consumer = EventConsumer(client, consumer="bench-warm-up", group=f"bench-warm-up-{label}")
        consumer.ensure_group()
        watch = _EventWatch(client)
        dialer = Dialer(RedisPbxLink(client))
        wait_for(lambda: dialer.tick()[campaign.pk].calls > 0, 10, "the warm-up tick to dial")
        deadline = time.monotonic() + timeout
        while len(watch.answered) < 2 and time.monotonic() < deadline:
            consumer.poll(block_ms=100, linger_ms=EVENT_LINGER_MS)
            watch.read()
        Campaign.objects.filter(pk=campaign.pk).update(status="stopped")
    finally:
        client.close()


def _warm_up(pbx: PbxProcess, redis_url: str, timeout: float) -> None:
    """One call through pbx and its bot before timing: a running pbx has imported and loaded
    what the first call needs (the resampler, the media path), and so has Asterisk."""
    import redis

    from pbx.api import COMMANDS_STREAM, EVENTS_STREAM, OriginateCall, parse_event, to_fields

    client = redis.Redis.from_url(redis_url)
    try:
        command = OriginateCall(endpoint="PJSIP/+919869999999@trunk", flow="order_confirmation",
                                lead={"first_name": "Ravi", **ORDER})  # fmt: skip
        client.xadd(COMMANDS_STREAM, to_fields(command))

        def ended() -> bool:
            events = (parse_event(fields) for _, fields in client.xrange(EVENTS_STREAM))
            return any(e.type == "call.ended" and e.call_id == command.call_id for e in events)

        wait_for(ended, timeout, "the warm-up call", alive=pbx.process.running)
    finally:
        client.close()


# ------------------------------------------------------------------ the benchmark


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median rate (the lower middle one of an even count), with the fewest
    answers of any round: a call lost in one round shows in the summary."""
    ordered = sorted(rounds, key=lambda r: r["per_s"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["answered"] = min(r["answered"] for r in rounds)
    middle["sipp_answered"] = min(r["sipp_answered"] for r in rounds)
    middle["errors"] = [e for r in rounds for e in r.get("errors", [])]
    return middle


def _sipp_count(customers: SippCustomers, before: int, expected: int) -> int:
    """Answers sipp logged since ``before`` (its log lags the ARI events by a moment)."""
    with contextlib.suppress(Exception):
        wait_for(lambda: len(customers.answered()) - before >= expected, 5, "sipp to log the answers")
    return len(customers.answered()) - before


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="benchmarks dialer", add_help=False)
    parser.add_argument("--calls", type=int, default=50, help="calls on each side")
    parser.add_argument("--hold-ms", type=int, default=3000, help="how long each customer stays on the line")
    parser.add_argument("--tick-s", type=float, default=1.0, help="the dialer's tick (manage.py dialer's default)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds each side may take")
    parser.add_argument("--ledger", choices=("shared", "separate"), default="shared",
                        help="the call ledger in Django's SQLite file (the stack's default) or a file of its own")
    parser.add_argument("--no-direct", action="store_true", help="skip the pbx-only run (commands put on the stream "
                        "directly, without the dialer)")  # fmt: skip
    parser.add_argument("--sqlite-begin", choices=("immediate", "deferred"), default="immediate",
                        help="the dialer's SQLite transactions; deferred (Django's default) makes the "
                             "dialer's tick fail with 'database is locked' beside pbx's ledger writes")  # fmt: skip
    parser.add_argument("--profile-pbx", action="store_true", help="time pbx's per-call steps (pbx_steps)")
    parser.add_argument("--after-answer", choices=("both", "hold", "bot"), default="both",
                        help="what pbx does with an answered call: hold it like the raw side (the headline "
                             "ratio), run the bot on it (with_bot), or both, one after the other")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=5, help="raw then ours, this many times; the median "
                        "round of each side is reported (one burst of 50 calls lasts a tenth of a second)")  # fmt: skip
    parser.add_argument("--dialer-nice", type=int, default=DIALER_NICE, help="the dialer's CPU niceness during "
                        "our runs (the stack runs `manage.py dialer` at %(default)s; 0 to compare)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args, _ = parser.parse_known_args(argv)
    calls = max(1, args.calls)
    rounds = max(1, args.rounds)

    root = StackConfig.from_env().asterisk_root
    if not (root / "usr" / "sbin" / "asterisk").exists():
        raise RuntimeError(f"Asterisk is not installed in {root}; run `make setup`")
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="cc-bench-dialer-"))
    result: dict[str, Any] = {}
    with _stopped_on_sigterm(), contextlib.ExitStack() as cleanup:
        if not args.keep:
            cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        trunk_port = free_port(udp=True)
        asterisk, redis_server = _throwaway_stack(cleanup, root, work, trunk_port, calls)
        customers = SippCustomers(trunk_port, work / "sipp", hold_ms=args.hold_ms)
        cleanup.callback(customers.stop)
        customers.start()

        ledger_env = ({"LEDGER_DATABASE_URL": f"sqlite:///{work / 'ledger.sqlite3'}"} if args.ledger == "separate"
                      else {})  # fmt: skip
        modes = ["hold", "bot"] if args.after_answer == "both" else [args.after_answer]
        runs: dict[str, list[dict[str, Any]]] = {}
        raws: list[dict[str, Any]] = []
        direct: dict[str, Any] | None = None
        for n, mode in enumerate(modes):
            times_file = work / f"pbx-times-{mode}.json"
            env = {**ledger_env, "BENCH_PBX_AFTER_ANSWER": mode}
            if args.profile_pbx:
                env["BENCH_PBX_TIMES"] = str(times_file)
            # The same work dir (and so the same ledger file as Django's) for each pbx in turn.
            pbx = PbxProcess(asterisk, redis_server.url, work / "pbx", consumer_name="bench-pbx", env=env,
                             module="benchmarks._pbx_timed")  # fmt: skip
            cleanup.callback(pbx.stop)
            pbx.migrate_ledger()  # before Django: by default both live in one SQLite file, as in the stack
            pbx.process.start()
            if n == 0:  # while pbx loads its speech models
                _setup_django(pbx.var_dir, redis_server.url, immediate=args.sqlite_begin == "immediate")
            try:
                wait_for(lambda: pbx.ready(bot=True), 120, "pbx with its bot", alive=pbx.process.running)
            except Exception as exc:
                raise RuntimeError(f"{exc}\n{pbx.log_tail(20)}") from None
            _warm_up(pbx, redis_server.url, args.hold_ms / 1000 + 15)
            meter = CpuMeter({"asterisk": asterisk.process.pid, "pbx": pbx.process.pid,
                              "sipp": customers.process.pid, "redis": redis_server.process.pid},
                             main_threads={"pbx_event_loop": pbx.process.pid})  # fmt: skip
            if n == 0:
                result["setup_s"] = round(time.monotonic() - began, 1)
                if not args.no_direct:
                    before = len(customers.answered())
                    direct = _direct_run(redis_server.url, calls, args.timeout, meter)
                    direct["sipp_answered"] = _sipp_count(customers, before, direct["answered"])
                    _wait_no_channels(asterisk, args.hold_ms / 1000 + 10)
            _warm_up_dialer(redis_server.url, args.timeout, mode)
            busy = {"asterisk": asterisk.process.pid, "pbx": pbx.process.pid}
            _wait_no_channels(asterisk, args.hold_ms / 1000 + 10)
            runs[mode] = []
            for round_no in range(1, rounds + 1):
                if n == 0:  # the raw side right before ours, in every round: the pair shares the moment
                    wait_until_quiet(busy, 60)
                    before = len(customers.answered())
                    raw = asyncio.run(_raw_run(asterisk, calls, args.timeout, meter))
                    raw["sipp_answered"] = _sipp_count(customers, before, raw["answered"])
                    raws.append(raw)
                    _wait_no_channels(asterisk, args.hold_ms / 1000 + 10)
                _wait_ledger_idle(pbx)
                wait_until_quiet(busy, 60)
                before = len(customers.answered())
                ours = _ours_run(redis_server.url, calls, args.tick_s, args.timeout, meter, label=f"{mode} {round_no}",
                                 dialer_nice=args.dialer_nice)  # fmt: skip
                ours["sipp_answered"] = _sipp_count(customers, before, ours["answered"])
                if ours["answered"] < calls:
                    ours["pbx_log_tail"] = pbx.log_tail(10)
                _wait_no_channels(asterisk, args.hold_ms / 1000 + 10)
                runs[mode].append(ours)
            pbx.stop()  # writes the step timings when profiling
            if args.profile_pbx and times_file.exists():
                runs[mode][-1]["pbx_steps"] = json.loads(times_file.read_text())

    raw = _median_round(raws)

    def side(rounds_of_mode: list[dict[str, Any]]) -> dict[str, Any]:
        ours = _median_round(rounds_of_mode)
        extra = {k: r[k] for r in rounds_of_mode for k in ("pbx_steps", "pbx_log_tail") if k in r}
        return {
            "originate_per_s": ours["per_s"],
            "ratio": round(ours["per_s"] / raw["per_s"], 3) if raw["per_s"] else 0.0,
            "rounds_per_s": [r["per_s"] for r in rounds_of_mode],
            "answered": ours["answered"], "sipp_answered": ours["sipp_answered"],
            "ours_breakdown_s": ours["breakdown_s"], "pbx_ms_per_originate": ours["pbx_ms_per_originate"],
            "answer_ms_after_start": ours["answer_ms_after_start"], "dialer_ticks": ours["ticks"],
            "cpu_s": ours["cpu_s"], **extra,
        }  # fmt: skip

    # The headline compares like with like: answered calls held without the bot on both sides.
    headline = side(runs[modes[0]])
    summary: dict[str, Any] = {
        "originate_per_s": headline["originate_per_s"],
        "raw_originate_per_s": raw["per_s"],
        "ratio": headline["ratio"],
        "after_answer": modes[0],
        "calls": calls,
        "rounds": rounds,
        "raw_rounds_per_s": [r["per_s"] for r in raws],
        "raw_answered": raw["answered"],
        "sipp_raw_answered": raw["sipp_answered"],
        "raw_posts_s": raw["posts_s"],
        "raw_answered_s": raw["answered_s"],
        "raw_cpu_s": raw["cpu_s"],
        **{k: v for k, v in headline.items() if k not in ("originate_per_s", "ratio")},
    }
    if "bot" in runs and modes[0] != "bot":
        summary["with_bot"] = side(runs["bot"])
    if direct is not None:
        summary.update({
            "pbx_direct_per_s": direct["per_s"], "pbx_direct_answered": direct["answered"],
            "pbx_direct_sipp_answered": direct["sipp_answered"], "pbx_direct_last_started_s": direct["last_call_started_s"],
            "pbx_direct_ms_per_originate": direct["pbx_ms_per_originate"], "pbx_direct_cpu_s": direct["cpu_s"],
        })  # fmt: skip
    if raw["errors"]:
        summary["raw_errors"] = raw["errors"]
    summary.update({"dialer_nice": args.dialer_nice, "ledger": args.ledger, "sqlite_begin": args.sqlite_begin, "hold_ms": args.hold_ms, "tick_s": args.tick_s, **result,
                    "total_s": round(time.monotonic() - began, 1)})  # fmt: skip
    if args.keep:
        summary["work_dir"] = str(work)
    return summary
