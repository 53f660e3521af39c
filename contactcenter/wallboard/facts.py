"""What the wallboard reads from the database: agents, queues, campaign progress (sync ORM).

Plain frozen dataclasses come out (:mod:`contactcenter.wallboard.board`), so the board's
reducer never touches the ORM and its tests need no database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.db.models import Count

from contactcenter.campaigns.models import Campaign, CampaignStatus, Lead, LeadStatus
from contactcenter.people import agents
from contactcenter.people.models import Agent, AgentState, HumanQueue
from contactcenter.wallboard.board import AgentFact, CampaignFact


@dataclass(frozen=True)
class DbFacts:
    agents: tuple[AgentFact, ...]
    queues: tuple[str, ...]
    campaigns: tuple[CampaignFact, ...]


def local_day_start(now: float, time_zone: str | None = None) -> float:
    """Unix time of the local midnight (settings.TIME_ZONE) that started the day of ``now``."""
    zone = ZoneInfo(time_zone or settings.TIME_ZONE)
    local = dt.datetime.fromtimestamp(now, tz=zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def _ts(value: dt.datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def load_agents() -> tuple[AgentFact, ...]:
    memberships = agents.queues_by_agent()
    return tuple(
        AgentFact(name=a.name, state=a.state, since=_ts(a.state_changed_at), display_name=a.display_name,
                  queues=tuple(sorted(memberships.get(a.pk, ()))),
                  reason=a.pause_reason if a.state == AgentState.PAUSED else "")
        for a in Agent.objects.order_by("name")
    )  # fmt: skip


def load_campaigns(day_start: float) -> tuple[CampaignFact, ...]:
    """Running and paused campaigns, and the ones that finished or stopped today."""
    since = dt.datetime.fromtimestamp(day_start, tz=dt.UTC)
    campaigns = list(
        Campaign.objects.filter(status__in=[CampaignStatus.RUNNING, CampaignStatus.PAUSED])
        | Campaign.objects.filter(status__in=[CampaignStatus.COMPLETED, CampaignStatus.STOPPED], updated_at__gte=since)
    )
    ids = [c.pk for c in campaigns]
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for row in Lead.objects.filter(campaign_id__in=ids).values("campaign_id", "status").annotate(n=Count("id")):
        by_status[row["campaign_id"]][row["status"]] = row["n"]
    outcomes: dict[int, dict[str, int]] = defaultdict(dict)
    finished = [LeadStatus.DONE, LeadStatus.BLOCKED]
    for row in (Lead.objects.filter(campaign_id__in=ids, status__in=finished)
                .values("campaign_id", "outcome").annotate(n=Count("id"))):  # fmt: skip
        outcomes[row["campaign_id"]][row["outcome"] or "blocked"] = row["n"]
    facts = []
    for c in sorted(campaigns, key=lambda c: c.name):
        counts = by_status.get(c.pk, {})
        facts.append(CampaignFact(
            id=c.pk, name=c.name, status=c.status, dial_mode=c.dial_mode,
            leads_total=sum(counts.values()),
            leads_done=counts.get(LeadStatus.DONE, 0) + counts.get(LeadStatus.BLOCKED, 0),
            leads_pending=counts.get(LeadStatus.PENDING, 0), leads_dialing=counts.get(LeadStatus.DIALING, 0),
            outcomes=dict(outcomes.get(c.pk, {})), pacing=dict(c.pacing or {}),
        ))  # fmt: skip
    return tuple(facts)


def load_facts(day_start: float) -> DbFacts:
    # A long-running feeder: drop connections the database closed (restart, timeout) before querying.
    close_old_connections()
    return DbFacts(
        agents=load_agents(),
        queues=tuple(HumanQueue.objects.order_by("name").values_list("name", flat=True)),
        campaigns=load_campaigns(day_start),
    )


LoadFacts = Callable[[float], Awaitable[DbFacts]]
"""How the feeder and the offline board read the facts (tests plug in their own)."""


async def load_facts_async(day_start: float) -> DbFacts:
    return await sync_to_async(load_facts, thread_sensitive=True)(day_start)
