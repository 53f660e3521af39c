"""What the pacer is told about a running campaign, read from the database every tick.

:func:`campaign_view` sums up one campaign's recent attempts (calls in progress, escalation
and answer rates, mean AI-call and handle times); :func:`pacing_snapshot` adds the agents of
its queues and what other campaigns sharing them expect, for ``pacing.decide``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q

from contactcenter.campaigns import pacing
from contactcenter.campaigns.models import LIVE_ATTEMPT_STATUSES, AttemptStatus, CallAttempt, Campaign
from contactcenter.people import agents
from contactcenter.telephony.models import Trunk

RECENT = 200  # attempts the running rates look at
MIN_SAMPLES = 20  # durations seen before the pacer is told a mean


@dataclass(frozen=True)
class CampaignView:
    """What one running campaign contributes to everyone's pacing."""

    campaign: Campaign
    queues: frozenset[str]
    in_progress: int
    escalation: pacing.RunningRate
    answer: pacing.RunningRate
    answered: int
    abandoned: int
    mean_ai_call_s: float | None = None  # answered calls, creation to escalation or end (None: < MIN_SAMPLES)
    mean_handle_s: float | None = None  # escalated calls, agent connected to end (None: < MIN_SAMPLES)

    @property
    def expected_escalations(self) -> float:
        if self.campaign.is_ai:
            return self.escalation.value * self.in_progress
        return float(self.in_progress)  # every human-mode call in flight wants an agent

    @property
    def escalations_per_s(self) -> float:
        """Expected arrivals into the queues (Little's law); 0 while the AI call time is unknown."""
        if self.campaign.is_ai and self.mean_ai_call_s:
            return self.expected_escalations / self.mean_ai_call_s
        return 0.0


def campaign_view(campaign: Campaign) -> CampaignView:
    """One running campaign's calls in progress, rates and mean times, from its recent attempts."""
    attempts = CallAttempt.objects.filter(campaign=campaign)
    live_states = ([AttemptStatus.QUEUED, AttemptStatus.DIALING, AttemptStatus.WITH_BOT] if campaign.is_ai
                   else [AttemptStatus.QUEUED, AttemptStatus.DIALING])  # fmt: skip
    # Settled answered calls only: one still with the bot has not escalated *yet*.
    recent_answered = list(attempts.filter(Q(escalated_at__isnull=False) | Q(ended_at__isnull=False),
                                           answered_at__isnull=False).order_by("-id")
                           .values_list("escalated_at", "created_at", "ended_at", "agent_connected_at")
                           [:RECENT])  # fmt: skip
    recent_settled = list(attempts.filter(Q(answered_at__isnull=False) | Q(status=AttemptStatus.ENDED))
                          .order_by("-id").values_list("answered_at", flat=True)[:RECENT])  # fmt: skip
    escalated = sum(1 for row in recent_answered if row[0] is not None)
    # Mean times for the pacer's service-level pace. Line time counts from creation, as
    # in_progress does; leaving out unanswered attempts overstates escalations per call
    # in progress, which errs on the safe side. Handle time has no wrap-up in it.
    lines = [((esc or end) - created).total_seconds() for esc, created, end, _ in recent_answered]
    handles = [(end - agent).total_seconds() for esc, _, end, agent in recent_answered
               if esc is not None and agent is not None and end is not None]  # fmt: skip
    counts = attempts.aggregate(in_progress=Count("id", filter=Q(status__in=live_states)),
                                answered=Count("id", filter=Q(answered_at__isnull=False)),
                                abandoned=Count("id", filter=Q(abandoned=True)))  # fmt: skip
    return CampaignView(
        campaign=campaign,
        queues=frozenset(campaign.queue_names()),
        in_progress=counts["in_progress"],
        escalation=pacing.RunningRate(escalated, len(recent_answered), campaign.escalation_rate_prior),
        answer=pacing.RunningRate(sum(1 for at in recent_settled if at), len(recent_settled), 0.5, 10),
        answered=counts["answered"],
        abandoned=counts["abandoned"],
        mean_ai_call_s=sum(lines) / len(lines) if len(lines) >= MIN_SAMPLES else None,
        mean_handle_s=sum(handles) / len(handles) if len(handles) >= MIN_SAMPLES else None,
    )


def pacing_snapshot(view: CampaignView, views: list[CampaignView], site_free: int | None,
                    inbound_waiting: Mapping[str, int] | None = None) -> pacing.Snapshot:  # fmt: skip
    """What ``pacing.decide`` sees for this campaign, given every running campaign's view.

    ``inbound_waiting``: inbound callers waiting per queue (pbx's ``InboundWaiting``). They are
    not campaign attempts, but they take the same agents as this campaign's escalations."""
    campaign = view.campaign
    waiting = CallAttempt.objects.filter(status=AttemptStatus.WAITING_AGENT,
                                         escalation_queue__in=view.queues).count()  # fmt: skip
    waiting += sum(n for queue, n in (inbound_waiting or {}).items() if queue in view.queues)
    # Other campaigns sharing a queue will want the same agents.
    sharing = [v for v in views if v is not view and v.queues & view.queues]
    others = sum(v.expected_escalations for v in sharing)
    reserved = waiting + others
    staff = agents.agent_counts(view.queues)
    return pacing.Snapshot(
        mode=pacing.DialMode(campaign.dial_mode), in_progress=view.in_progress,
        max_lines=min(campaign.max_concurrent_calls, view.in_progress + trunk_lines_free(campaign.trunk)),
        free_agents=staff.free,
        waiting_for_agent=reserved, site_lines_free=site_free if campaign.is_ai else None,
        escalation_rate=view.escalation.value, answer_rate=view.answer.upper(),
        answered=view.answered, abandoned=view.abandoned, max_abandon_rate=campaign.max_abandon_rate,
        busy_agents=staff.busy if campaign.is_ai else 0, reserved_agents=staff.reserved if campaign.is_ai else 0,
        mean_ai_call_s=view.mean_ai_call_s,
        mean_handle_s=view.mean_handle_s,
        other_escalations_per_s=sum(v.escalations_per_s for v in sharing),
    )  # fmt: skip


def trunk_lines_free(trunk: str) -> int:
    """Channels of the campaign's trunk not held by a live call of any campaign (a call with an
    agent holds its line too). Unlimited (a large number) without a channel limit."""
    limit = Trunk.objects.filter(name=trunk).values_list("max_channels", flat=True).first()
    if not limit:
        return 1_000_000
    live = CallAttempt.objects.filter(campaign__trunk=trunk, status__in=LIVE_ATTEMPT_STATUSES).count()
    return max(0, limit - live)
