"""A whole campaign on the real stack: the dialer (this process: Django + Redis only) calls
simulated customers through ``python -m pbx`` and real Asterisk, and pbx's events come back
as lead outcomes.

Simulated customers (ops.simulator.customer, an ARI app run here on a thread, as the demo
does) answer the order-confirmation bot with synthesised speech. The dial plan maps each
lead's phone number to a fresh simulated customer; numbers outside the calling window, on
the do-not-call list (at import and added later) and invalid ones must never be dialled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import os
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import redis

from contactcenter.campaigns import imports, services, webhooks
from contactcenter.campaigns.dialer import Dialer
from contactcenter.campaigns.models import CallAttempt, Campaign, Lead, LeadStatus, WebhookDelivery
from contactcenter.campaigns.pbx_events import EventConsumer
from contactcenter.campaigns.pbx_link import RedisPbxLink
from contactcenter.people import services as people_services
from contactcenter.people.models import Agent, AgentState, DoNotCall, HumanQueue
from contactcenter.telephony.models import Trunk
from ops.simulator.customer import CustomerScript, SimulatedCustomers, flite_voice
from ops.stack.asterisk import AsteriskInstance
from ops.stack.pbx_process import PbxProcess
from ops.stack.processes import ManagedProcess
from ops.stack.redis_server import RedisServer
from pbx.api import COMMANDS_STREAM, parse_command
from pbx.ari.client import HttpAriRest
from pbx.ari.connection import AriEventStream
from pbx.backoff import Backoff

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

SIM_APP = "ccsim"  # the app the reactive customers' dialplan enters by default
CONFIRMS = CustomerScript("confirms", ("Yes, please deliver it.",), linger_s=6.0)
CALL_LATER = CustomerScript("callback", ("I am busy right now, please call me later.", "Tomorrow evening."),
                            linger_s=6.0)  # fmt: skip
OPTS_OUT = CustomerScript("opt_out", ("Please do not call me again.",), linger_s=6.0)


@pytest.fixture
def pbx_process(asterisk_server: AsteriskInstance, redis_server: RedisServer, tmp_path: Path):
    pbx = PbxProcess(asterisk_server, redis_server.url, tmp_path, failsafe_queue="support",
                     consumer_name=f"campaigns-{os.getpid()}")  # fmt: skip
    try:
        pbx.start(timeout=180, wait_for_bot=True)
        yield pbx.process
    finally:
        pbx.stop()
        asterisk_server.cli("channel request hangup all")


class SimulatedCustomersThread:
    """The simulated customers' ARI app on its own event loop, so the dialer can stay synchronous."""

    def __init__(self, asterisk: AsteriskInstance) -> None:
        self._asterisk = asterisk
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.customers: SimulatedCustomers | None = None
        self._tasks: list[asyncio.Task] = []
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(20)

    async def _start(self) -> None:
        a, s = self._asterisk, self._asterisk.settings
        self._session = aiohttp.ClientSession()
        rest = HttpAriRest(self._session, a.ari_url, s.ari_user, s.ari_password)
        self.customers = SimulatedCustomers(rest, SIM_APP, flite_voice(),
                                            a.root / s.instance_dir.lstrip("/") / "spool" / "sim",
                                            f"{s.instance_dir}/spool/sim")  # fmt: skip
        stream = AriEventStream(self._session, a.ari_url, s.ari_user, s.ari_password, SIM_APP, Backoff(0.1, 1))
        connected = asyncio.Event()

        async def on_connect() -> None:
            connected.set()

        self._tasks.append(asyncio.create_task(stream.run(self.customers.on_event, on_connect)))
        await asyncio.wait_for(connected.wait(), 10)

    def endpoint(self, script: CustomerScript) -> str:
        # Only prepares audio files and registers the run (dict writes): safe from this thread.
        assert self.customers is not None
        endpoint, _ = self.customers.endpoint(script)
        return endpoint

    def stop(self) -> None:
        async def close() -> None:
            for task in self._tasks:
                task.cancel()
            if self._session is not None:
                await self._session.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


class WebhookReceiver(http.server.BaseHTTPRequestHandler):
    received: list[tuple[object, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        WebhookReceiver.received.append((self.headers, body))  # header names are case-insensitive here
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def _window_around_now() -> list[dict]:
    """Open from an hour ago to three hours ahead in India; Los Angeles (12½-13½ h away) is outside."""
    now = dt.datetime.now(ZoneInfo("Asia/Kolkata"))
    start, end = now - dt.timedelta(hours=1), now + dt.timedelta(hours=3)
    return [{"days": list(range(7)), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}]


def _csv(rows: list[tuple[str, str, str]]) -> bytes:
    lines = ["first_name,phone,order_id,item,amount"]
    lines += [f"{name},{phone},{order},a steel water bottle,499" for name, phone, order in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_campaign_of_simulated_customers_runs_to_completion(
    asterisk_server: AsteriskInstance, redis_server: RedisServer, pbx_process: ManagedProcess, tmp_path: Path,
    settings,
) -> None:
    started = time.monotonic()
    settings.CC_WEBHOOK_ALLOW_HTTP = settings.CC_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    support, _ = HumanQueue.objects.get_or_create(name="support")  # the fail-safe queue: a migration makes it
    Trunk.objects.get_or_create(name="trunk", defaults={"host": "127.0.0.1"})  # a migration's too (gone if flushed)
    for name in ("agent1", "agent2"):
        Agent.objects.create(name=name, state=AgentState.AVAILABLE).queues.add(support)
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), WebhookReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    campaign = Campaign(name="real stack", type="order_confirmation", escalation_queue=support, dial_mode="ai_first",
                        max_concurrent_calls=5, escalation_rate_prior=0.1, calling_windows=_window_around_now(),
                        caller_id="+911800100100",
                        retry_minutes={"no_answer": 60, "busy": 30, "callback": 24 * 60},
                        webhook_url=f"http://127.0.0.1:{receiver.server_port}/hook")  # fmt: skip
    campaign.full_clean()
    campaign.save()

    # 20 callable customers: most confirm, two ask for a call later, one opts out.
    scripts: dict[str, CustomerScript] = {}
    rows = []
    for i in range(20):
        phone = f"+9198000001{i:02d}"
        scripts[phone] = OPTS_OUT if i == 7 else CALL_LATER if i in (3, 12) else CONFIRMS
        rows.append(("Asha" if i % 2 else "Ravi", phone, "A1001" if i % 2 else "A1002"))
    never = {
        "+14155550100": "outside its calling window (Los Angeles)",
        "+919800000201": "on the do-not-call list before the import",
        "+919800000202": "put on the do-not-call list after the import",
    }
    rows += [("Kai", "+14155550100", "A2001"), ("Dee", "+919800000201", "A2002"), ("Nik", "+919800000202", "A2003"),
             ("Bad", "12345", "A2004"), ("Bad", "+91 98000", "A2005")]  # fmt: skip
    people_services.do_add_dnc("+919800000201")
    batch = imports.import_leads(campaign, "leads.csv", _csv(rows))
    assert (batch.imported, batch.invalid, batch.dnc) == (22, 2, 1), batch.problems
    people_services.do_add_dnc("+919800000202", reason="asked by email after the import")
    # An invalid number that got past the import (an old row): the dialer checks again.
    sneaky = Lead.objects.create(campaign=campaign, phone="+9112", first_name="X", time_zones=["Asia/Kolkata"],
                                 fields={"order_id": "X", "item": "x", "amount": "1"})  # fmt: skip

    sims = SimulatedCustomersThread(asterisk_server)
    sims.start()
    for script in (CONFIRMS, CALL_LATER, OPTS_OUT):
        sims.endpoint(script)  # synthesise each script's audio once, before the clock starts
    dialled: list[str] = []

    def dial_plan(trunk: str, phone: str) -> str:
        dialled.append(phone)
        endpoint = sims.endpoint(scripts[phone])  # KeyError = a number that must never be dialled
        return endpoint

    client = redis.Redis.from_url(redis_server.url)
    dialer = Dialer(RedisPbxLink(client), dial_plan=dial_plan)
    consumer = EventConsumer(client, consumer="test-dialer")
    consumer.ensure_group()
    services.do_change_campaign_status(campaign.pk, "start")
    max_in_progress = 0
    human_bound_seen = False
    deadline = time.monotonic() + 420
    try:
        next_tick = 0.0
        while time.monotonic() < deadline:
            consumer.poll(block_ms=200)
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + 1.0
                dialer.tick()
                webhooks.deliver_due(dt.datetime.now(dt.UTC))
                # AI lines: calls dialing or with the bot (an escalated caller holds an agent, not a line).
                live = CallAttempt.objects.filter(campaign=campaign, status__in=["queued", "dialing", "with_bot"]).count()
                max_in_progress = max(max_in_progress, live)
                campaign.refresh_from_db()
                human_bound_seen |= bool(campaign.pacing.get("human_bound"))
                if not Lead.objects.filter(campaign=campaign, status=LeadStatus.DIALING).exists() and not Lead.objects.filter(
                        campaign=campaign, status=LeadStatus.PENDING, attempts=0, not_before_reason="").exists():  # fmt: skip
                    break
        while webhooks.deliver_due(dt.datetime.now(dt.UTC)):
            pass
    finally:
        sims.stop()
        receiver.shutdown()
    elapsed = time.monotonic() - started
    print(f"\ncampaign of {len(scripts)} calls finished in {elapsed:.0f} s; at most {max_in_progress} in progress")

    leads = {lead.phone: lead for lead in Lead.objects.filter(campaign=campaign)}
    outcomes = {phone: (leads[phone].status, leads[phone].outcome) for phone in scripts}
    print({o: sum(1 for l in leads.values() if l.outcome == o) for o in {l.outcome for l in leads.values()}})
    story = f"outcomes {outcomes}\n{pbx_process.log_tail(80) if hasattr(pbx_process, 'log_tail') else ''}"
    # Every callable lead was called once and ended with an outcome.
    assert sorted(dialled) == sorted(scripts), story
    for phone in scripts:
        lead = leads[phone]
        assert lead.attempts == 1 and lead.outcome, story
        assert lead.status in (LeadStatus.DONE, LeadStatus.PENDING), story
        [attempt] = lead.call_attempts.all()
        assert attempt.status == "ended" and attempt.outcome == lead.outcome, story
    confirmed = [p for p, s in scripts.items() if s is CONFIRMS and leads[p].outcome == "confirmed"]
    assert len(confirmed) >= 15, story  # speech recognition may mishear one or two
    for phone in (p for p, s in scripts.items() if s is CALL_LATER):
        if leads[phone].outcome == "callback":  # retried tomorrow, as the rule says
            assert leads[phone].status == LeadStatus.PENDING and leads[phone].next_attempt_at is not None
    opt_out = next(p for p, s in scripts.items() if s is OPTS_OUT)
    if leads[opt_out].outcome == "opt_out":
        assert DoNotCall.objects.get(phone=opt_out).source == "opt_out"
    # The pacer never ran more calls than the campaign's AI lines.
    assert max_in_progress <= campaign.max_concurrent_calls
    assert not human_bound_seen  # two free agents cover 5 lines at a 10% prior, with the pacer's margin for chance

    # Never dialled: outside the window, DNC (before and after import), invalid.
    commands = [parse_command(fields) for _, fields in client.xrange(COMMANDS_STREAM)]
    ours = [c for c in commands if c.campaign_id == campaign.pk]
    assert len(ours) == 20 and {c.lead["first_name"] for c in ours} == {"Asha", "Ravi"}
    assert "+919800000201" not in leads  # filtered at import
    assert not set(never) & set(dialled)
    never_ids = {leads[p].pk for p in never if p in leads} | {sneaky.pk}
    assert not [c for c in ours if c.lead_id in never_ids]
    assert not CallAttempt.objects.filter(lead_id__in=never_ids).exists()
    la = leads["+14155550100"]
    assert (la.status, la.not_before_reason) == (LeadStatus.PENDING, "outside_window")
    assert (leads["+919800000202"].status, leads["+919800000202"].outcome) == (LeadStatus.BLOCKED, "do_not_call")
    sneaky.refresh_from_db()
    assert (sneaky.status, sneaky.outcome) == (LeadStatus.BLOCKED, "invalid_number")

    # One signed webhook per finished lead.
    finished = Lead.objects.filter(campaign=campaign, completed_at__isnull=False).count()
    assert WebhookDelivery.objects.filter(campaign=campaign, status="delivered").count() == finished
    assert len(WebhookReceiver.received) == finished
    for headers, body in WebhookReceiver.received:
        assert webhooks.verify(campaign.webhook_secret, headers["X-CC-Timestamp"], body, headers["X-CC-Signature"])


def test_manage_py_dialer_runs_one_pass_against_redis(redis_server: RedisServer, settings, tmp_path: Path) -> None:
    """The command wires the real Redis link, the event consumer group and the lock."""
    from django.core.management import call_command

    settings.REDIS_URL = redis_server.url
    client = redis.Redis.from_url(redis_server.url)
    client.delete("cc:dialer:lock")
    call_command("dialer", "--once")
    groups = {g["name"].decode() for g in client.xinfo_groups("cc:pbx:events")}
    assert "campaigns" in groups
    assert client.get("cc:dialer:lock") is None  # released on the way out
