"""Asterisk SIGKILLed and restarted mid-campaign, on the real stack: pbx ends the calls it lost
(each once, in the ledger too), the dialer's leads settle (the reached customer is not called
again, the one never answered is retried later) and dialling resumes through the new Asterisk.

The dialer runs in this process (Django + Redis), pbx as ``python -m pbx``, Asterisk of its own
(the session's shared one must not be killed). Nothing here restarts Asterisk but the test.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis

from contactcenter.campaigns import services
from contactcenter.campaigns.dialer import Dialer
from contactcenter.campaigns.models import CallAttempt, Campaign, Lead, LeadStatus
from contactcenter.campaigns.pbx_events import EventConsumer
from contactcenter.campaigns.pbx_link import RedisPbxLink
from contactcenter.people.models import Agent, AgentState, HumanQueue
from contactcenter.telephony.models import Trunk
from ops.stack.asterisk import AsteriskInstance
from ops.stack.pbx_process import PbxProcess
from ops.stack.processes import wait_for
from ops.stack.redis_server import RedisServer
from pbx.api import CallOutcome
from pbx.calls.reconcile import LOST_CAUSE
from pbx.ledger import ledger_url_from_env
from tests.conftest import build_test_telephony, throwaway_asterisk

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]

REACHED, RINGING, LATER = "+919800000301", "+919800000302", "+919800000303"
ENDPOINTS = {REACHED: "Local/customer@cc-sim", RINGING: "Local/ring@cc-sim", LATER: "Local/customer@cc-sim"}


@pytest.fixture
def own_asterisk(asterisk_root: Path, sim_agent_port: int, trunk_port: int, tmp_path: Path) -> Iterator[AsteriskInstance]:
    with throwaway_asterisk(asterisk_root, tmp_path / "asterisk", build_test_telephony(sim_agent_port, trunk_port)) as a:
        yield a


def _window_around_now() -> list[dict]:
    now = dt.datetime.now(ZoneInfo("Asia/Kolkata"))
    start, end = now - dt.timedelta(hours=1), now + dt.timedelta(hours=3)
    return [{"days": list(range(7)), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}]


def _ledger(pbx: PbxProcess) -> tuple[dict[str, str], dict[str, int]]:
    """Each call's outcome, and how many ``call.ended`` entries its timeline has."""
    path = ledger_url_from_env(pbx.env).split(":///", 1)[1]
    with sqlite3.connect(path, timeout=10) as db:
        outcomes = dict(db.execute("SELECT id, outcome FROM ledger_calls"))
        ends = dict(db.execute("SELECT call_id, count(*) FROM ledger_events WHERE type='call.ended' GROUP BY call_id"))
    return outcomes, ends


def test_asterisk_restarted_mid_campaign(own_asterisk: AsteriskInstance, redis_server: RedisServer,
                                         tmp_path: Path) -> None:  # fmt: skip
    started = time.monotonic()
    support, _ = HumanQueue.objects.get_or_create(name="support")
    Trunk.objects.get_or_create(name="trunk", defaults={"host": "127.0.0.1"})
    for name in ("agent1", "agent2"):  # free agents: the pacer covers the calls' expected escalations
        Agent.objects.create(name=name, state=AgentState.AVAILABLE).queues.add(support)
    campaign = Campaign(name="restart", type="order_confirmation", escalation_queue=support, dial_mode="ai_first",
                        max_concurrent_calls=2, calling_windows=_window_around_now(), caller_id="+911800100100")  # fmt: skip
    campaign.full_clean()
    campaign.save()
    leads = {phone: Lead.objects.create(campaign=campaign, phone=phone, first_name="Asha", time_zones=["Asia/Kolkata"],
                                        fields={"order_id": "A1", "item": "a lamp", "amount": "499"})
             for phone in (REACHED, RINGING, LATER)}  # fmt: skip
    pbx = PbxProcess(own_asterisk, redis_server.url, tmp_path / "pbx", consumer_name=f"restart-{os.getpid()}")
    client = redis.Redis.from_url(redis_server.url)
    dialer = Dialer(RedisPbxLink(client), dial_plan=lambda trunk, phone: ENDPOINTS[phone])
    consumer = EventConsumer(client, consumer="restart-test", group=f"restart-{uuid.uuid4().hex[:8]}")
    consumer.ensure_group()

    def run_dialer_until(check, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            consumer.poll(block_ms=200)
            dialer.tick()
            if check():
                return
        raise AssertionError(f"{what} within {timeout} s; pbx: {pbx.health()}\n{pbx.log_tail(40)}")

    def attempts(phone: str) -> list[CallAttempt]:
        return list(CallAttempt.objects.filter(lead=leads[phone]).order_by("id"))

    try:
        pbx.start(timeout=90)
        services.do_change_campaign_status(campaign.pk, "start")
        run_dialer_until(lambda: [a.status for a in attempts(REACHED)] == ["with_bot"]
                         and [a.status for a in attempts(RINGING)] == ["dialing"], 40, "one call answered, one ringing")  # fmt: skip
        assert pbx.health()["calls"]["with_bot"] == 1 and pbx.health()["calls"]["dialing"] == 1

        os.kill(own_asterisk.process.pid(), signal.SIGKILL)
        wait_for(lambda: not own_asterisk.process.running(), 10, "Asterisk gone")
        wait_for(lambda: not pbx.health().get("ok"), 15, "pbx noticing Asterisk is gone")
        time.sleep(1.0)
        own_asterisk.start()
        wait_for(lambda: pbx.health().get("ok") and pbx.health()["calls_lost"] == 2, 30, "pbx reconnected")
        calls = pbx.health()["calls"]
        assert sum(n for state, n in calls.items() if state != "ai_calls_at_risk") == 0, calls

        # The dialer settles both leads and dials the next one through the new Asterisk.
        run_dialer_until(lambda: [a.status for a in attempts(LATER)] == ["with_bot"], 40, "the next lead answered")
    finally:
        pbx.stop()
    for lead in leads.values():
        lead.refresh_from_db()
    reached, ringing = attempts(REACHED), attempts(RINGING)
    assert [(a.outcome, a.cause) for a in reached] == [(CallOutcome.DROPPED, LOST_CAUSE)]  # called once, not again
    assert (leads[REACHED].status, leads[REACHED].outcome) == (LeadStatus.DONE, CallOutcome.DROPPED)
    assert [(a.outcome, a.cause) for a in ringing] == [(CallOutcome.FAILED, LOST_CAUSE)]
    assert leads[RINGING].status == LeadStatus.PENDING and leads[RINGING].next_attempt_at is not None  # retried later
    assert not Lead.objects.filter(status=LeadStatus.DIALING).exclude(pk=leads[LATER].pk).exists()

    outcomes, ends = _ledger(pbx)
    lost = {reached[0].call_id: CallOutcome.DROPPED, ringing[0].call_id: CallOutcome.FAILED}
    assert {call_id: outcomes.get(call_id) for call_id in lost} == lost
    assert {call_id: ends.get(call_id) for call_id in lost} == {call_id: 1 for call_id in lost}
    print(f"\nAsterisk restart mid-campaign: {time.monotonic() - started:.0f} s")
