"""Fixtures for the campaigns tests: a queue with agents, a campaign factory, a fake pbx link."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence

import pytest

from contactcenter.campaigns.dialer import Dialer
from contactcenter.campaigns.models import Campaign, Lead
from contactcenter.people.models import Agent, AgentState, HumanQueue
from contactcenter.telephony.models import Trunk
from pbx.api import InboundWaiting, LiveCounts, OriginateCall

# Monday 2 March 2026, 06:00 UTC = 11:30 in India (inside 09:00-21:00), Sunday 22:00 in Los Angeles.
NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)

ORDER_FIELDS = {"order_id": "A1001", "item": "a steel water bottle", "amount": "499"}


def live_counts(**calls: int) -> LiveCounts:
    """pbx's live counts: no calls but those given (by state)."""
    states = {name: 0 for name in LiveCounts.model_fields if name != "updated_at"}
    return LiveCounts(**{**states, **calls}, updated_at=time.time())


class FakePbx:
    """The dialer's view of pbx: records commands, serves live counts, can fail on demand."""

    def __init__(self) -> None:
        self.commands: list[OriginateCall] = []
        self.counts: LiveCounts | None = live_counts()
        self.inbound: dict[str, int] = {}  # inbound callers waiting, per queue
        self.fail_sends = 0

    def send(self, commands: Sequence[OriginateCall]) -> None:
        if self.fail_sends:
            self.fail_sends -= 1
            raise ConnectionError("redis is down")
        self.commands.extend(commands)

    def live_counts(self) -> LiveCounts | None:
        if self.counts is not None:
            return self.counts.model_copy(update={"updated_at": time.time()})
        return None

    def inbound_waiting(self) -> InboundWaiting | None:
        return InboundWaiting(queues=self.inbound, updated_at=time.time())


class Clock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture
def queue(db) -> HumanQueue:
    # The fail-safe queue and the trunk are made by migrations; a transactional test's flush
    # empties the tables, so they are made again here.
    support, _ = HumanQueue.objects.get_or_create(name="support")
    Trunk.objects.get_or_create(name="trunk", defaults={"host": "127.0.0.1", "port": 5070})
    for name in ("agent1", "agent2"):
        Agent.objects.create(name=name, state=AgentState.AVAILABLE).queues.add(support)
    return support


@pytest.fixture
def make_campaign(queue: HumanQueue) -> Callable[..., Campaign]:
    def make(**kw) -> Campaign:
        values = {"name": f"campaign {Campaign.objects.count() + 1}", "type": "order_confirmation",
                  "escalation_queue": queue, "status": "running", "max_concurrent_calls": 3,
                  "calling_windows": [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "09:00", "end": "21:00"}],
                  "webhook_url": "", **kw}  # fmt: skip
        campaign = Campaign(**values)
        campaign.full_clean()
        campaign.save()
        return campaign

    return make


@pytest.fixture
def make_lead() -> Callable[..., Lead]:
    def make(campaign: Campaign, phone: str, first_name: str = "Asha", **kw) -> Lead:
        from contactcenter.campaigns.compliance import zones_for_number

        zones = kw.pop("time_zones", None) or list(zones_for_number(phone)) or ["Asia/Kolkata"]
        return Lead.objects.create(campaign=campaign, phone=phone, first_name=first_name, time_zones=zones,
                                   fields=kw.pop("fields", dict(ORDER_FIELDS)), **kw)  # fmt: skip

    return make


@pytest.fixture
def pbx() -> FakePbx:
    return FakePbx()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dialer(pbx: FakePbx, clock: Clock) -> Dialer:
    return Dialer(pbx, clock=clock)
