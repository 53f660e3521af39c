"""The dialer: picks due leads, checks them, paces, and sends originate commands to pbx.

One :meth:`Dialer.tick` per second (``manage.py dialer``): for each running campaign it
builds a pacing snapshot from the database (its calls in progress, its escalation and answer
rates, free agents of its queues) and pbx's live counts in Redis, asks ``pacing.decide`` how
many calls to start, and starts them a chunk of leads per transaction: the do-not-call list
and every compliance rule are checked again inside it, the attempts are recorded, and the
commands go on the Redis stream (one round trip) only after the commit. If the send fails
the attempts stay unsent and are sent again on the next tick with the same ids, so pbx never
gets two calls for one attempt.

Where a call goes is a dial plan, ``(trunk, e164) -> endpoint``: by default
``PJSIP/<e164>@<trunk>``; tests plug in simulated customers.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from contactcenter.campaigns import bulk, compliance, pacing, services
from contactcenter.campaigns.flows import CONNECT_TO_AGENT_FLOW
from contactcenter.campaigns.models import (
    AmdAction,
    AttemptStatus,
    CallAttempt,
    Campaign,
    CampaignStatus,
    Lead,
    LeadStatus,
)
from contactcenter.people import agents
from contactcenter.people.models import DoNotCall
from pbx.api import COMMANDS_STREAM, LIVE_COUNTS_KEY, OriginateCall, new_id, to_fields

log = logging.getLogger(__name__)

DialPlan = Callable[[str, str], str]


LOCAL_TRUNK_PREFIX = "local:"


def trunk_dial_plan(trunk: str, phone: str) -> str:
    """``trunk`` is a PJSIP endpoint (``PJSIP/+919800000001@trunk``), or ``local:<context>`` to
    dial the number as an extension of a dialplan context (``Local/+919800000001@<context>``),
    e.g. one that picks a carrier by prefix, or the demo's simulated customers."""
    if trunk.startswith(LOCAL_TRUNK_PREFIX):
        return f"Local/{phone}@{trunk.removeprefix(LOCAL_TRUNK_PREFIX)}"
    return f"PJSIP/{phone}@{trunk}"


# ------------------------------------------------------------------ pbx, seen from here


@dataclass(frozen=True)
class LiveCounts:
    """pbx's hash ``cc:pbx:live``: its calls by state, refreshed every second."""

    dialing: int = 0
    with_bot: int = 0
    escalating: int = 0
    queued: int = 0
    with_agent: int = 0
    ai_calls: int = 0
    updated_at: float = 0.0

    @classmethod
    def from_hash(cls, data: dict) -> LiveCounts:
        values = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                  for k, v in data.items()}  # fmt: skip
        kwargs = {}
        for name in cls.__dataclass_fields__:
            try:
                kwargs[name] = float(values[name]) if name == "updated_at" else int(values[name])
            except (KeyError, ValueError):
                pass
        return cls(**kwargs)

    def fresh(self, now_s: float, max_age_s: float) -> bool:
        return now_s - self.updated_at <= max_age_s


class PbxLink(Protocol):
    def send(self, commands: Sequence[OriginateCall]) -> None:
        """All of them, or raise (then none counts as sent; pbx ignores a repeated one)."""

    def live_counts(self) -> LiveCounts | None: ...


class RedisPbxLink:
    """Commands onto ``cc:pbx:commands``; live counts from ``cc:pbx:live`` (sync redis client)."""

    def __init__(self, redis) -> None:
        self._redis = redis

    def send(self, commands: Sequence[OriginateCall]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for command in commands:
            pipe.xadd(COMMANDS_STREAM, to_fields(command))
        pipe.execute()

    def live_counts(self) -> LiveCounts | None:
        data = self._redis.hgetall(LIVE_COUNTS_KEY)
        return LiveCounts.from_hash(data) if data else None


# ------------------------------------------------------------------ commands


def build_command(campaign: Campaign, lead: Lead, attempt: CallAttempt) -> OriginateCall:
    """The originate command of an attempt; the same attempt always gives the same command."""
    variables = {
        "CC_CAMPAIGN_ID": str(campaign.pk),
        "CC_LEAD_ID": str(lead.pk),
        "CC_SAFE_HARBOUR": campaign.safe_harbour_message,
        "CC_AMD": "1" if campaign.amd_enabled else "0",
    }
    if campaign.amd_enabled:
        variables["CC_AMD_ACTION"] = campaign.amd_action
        if campaign.amd_action == AmdAction.VOICEMAIL:
            variables["CC_VOICEMAIL_MESSAGE"] = campaign.voicemail_message
    fields = {"language": campaign.flow_language, **lead.flow_fields()}
    return OriginateCall(
        command_id=attempt.command_id, call_id=attempt.call_id, endpoint=attempt.endpoint,
        caller_id=campaign.caller_id, timeout_s=max(5, min(120, campaign.ring_timeout_s)),
        flow=campaign.flow_name if campaign.is_ai else CONNECT_TO_AGENT_FLOW,
        policy=campaign.policy or {}, lead=fields, campaign_id=campaign.pk, lead_id=lead.pk,
        escalation_queue=campaign.escalation_queue.name, variables=variables,
    )  # fmt: skip


# ------------------------------------------------------------------ the dialer


@dataclass(frozen=True)
class _View:
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


RECENT = 200  # attempts the running rates look at
CHUNK = 25  # leads checked and recorded in one transaction
# A tick's first chunk is smaller: pbx and Asterisk start on its calls sooner, while the rest
# are checked.
FIRST_CHUNK = 10
MIN_SAMPLES = 20  # durations seen before the pacer is told a mean
# What dial_leads sets on a new attempt; every other column is its default (see bulk.insert_rows).
ATTEMPT_FIELDS = ("campaign", "lead", "number", "call_id", "command_id", "dial_mode", "endpoint", "created_at")


def _chunks(items: list[int], first: int, size: int) -> Iterator[list[int]]:
    yield items[:first]
    for start in range(first, len(items), size):
        yield items[start:start + size]


class Dialer:
    def __init__(self, link: PbxLink, dial_plan: DialPlan = trunk_dial_plan,
                 clock: Callable[[], dt.datetime] = timezone.now, site_max_ai_lines: int | None = None,
                 live_max_age_s: float = 5.0, wall_clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self.link = link
        self.dial_plan = dial_plan
        self.clock = clock
        self.site_max_ai_lines = site_max_ai_lines
        self.live_max_age_s = live_max_age_s
        self.wall_clock = wall_clock
        self.sent = 0

    # ---------------------------------------------------------------- one tick

    def tick(self) -> dict[int, pacing.Decision]:
        now = self.clock()
        self.resend_unsent()
        live = self.link.live_counts()
        live_ok = live is not None and live.fresh(self.wall_clock(), self.live_max_age_s)
        running = list(Campaign.objects.filter(status=CampaignStatus.RUNNING).select_related("escalation_queue")
                       .prefetch_related("overflow_queues"))  # fmt: skip
        views = [self._view(c) for c in running]
        decisions: dict[int, pacing.Decision] = {}
        site_free = self._site_lines_free(live) if live_ok else None
        for view in views:
            campaign = view.campaign
            if not live_ok:
                decision = pacing.Decision(0, pacing.Bound.SITE, explanation="pbx is not reporting live counts")
            else:
                decision = pacing.decide(self._snapshot(view, views, site_free))
            placed = self._dial(campaign, decision.calls, now) if decision.calls else 0
            if site_free is not None and campaign.is_ai:
                site_free -= placed
            decisions[campaign.pk] = decision
            self._record_pacing(campaign, view, decision, placed, now)
            self._complete_if_done(campaign)
        return decisions

    def _view(self, campaign: Campaign) -> _View:
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
        return _View(
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

    def _snapshot(self, view: _View, views: list[_View], site_free: int | None) -> pacing.Snapshot:
        campaign = view.campaign
        waiting = CallAttempt.objects.filter(status=AttemptStatus.WAITING_AGENT,
                                             escalation_queue__in=view.queues).count()  # fmt: skip
        # Other campaigns sharing a queue will want the same agents.
        sharing = [v for v in views if v is not view and v.queues & view.queues]
        others = sum(v.expected_escalations for v in sharing)
        reserved = waiting + others
        staff = agents.agent_counts(view.queues)
        return pacing.Snapshot(
            mode=pacing.DialMode(campaign.dial_mode), in_progress=view.in_progress,
            max_lines=campaign.max_concurrent_calls, free_agents=staff.free,
            waiting_for_agent=reserved, site_lines_free=site_free if campaign.is_ai else None,
            escalation_rate=view.escalation.value, answer_rate=view.answer.upper(),
            answered=view.answered, abandoned=view.abandoned, max_abandon_rate=campaign.max_abandon_rate,
            busy_agents=staff.busy if campaign.is_ai else 0, mean_ai_call_s=view.mean_ai_call_s,
            mean_handle_s=view.mean_handle_s,
            other_escalations_per_s=sum(v.escalations_per_s for v in sharing),
        )  # fmt: skip

    def _site_lines_free(self, live: LiveCounts) -> int | None:
        if self.site_max_ai_lines is None:
            return None
        not_started = CallAttempt.objects.filter(status=AttemptStatus.QUEUED).count()
        return max(0, self.site_max_ai_lines - live.dialing - live.ai_calls - not_started)

    def _record_pacing(self, campaign: Campaign, view: _View, decision: pacing.Decision, placed: int,
                       now: dt.datetime) -> None:  # fmt: skip
        state = {
            "at": now.isoformat(), "calls": decision.calls, "placed": placed, "bound": decision.bound.value,
            "human_bound": decision.human_bound, "explanation": decision.explanation,
            "in_progress": view.in_progress, "escalation_rate": round(view.escalation.value, 4),
            "expected_escalations": round(decision.expected_escalations, 3),
            "expected_abandons": round(decision.expected_abandons, 3), "answered": view.answered,
            "abandoned": view.abandoned,
        }  # fmt: skip
        if decision.human_bound and not campaign.pacing.get("human_bound"):
            log.info("campaign %s pacing is human-bound: %s", campaign.pk, decision.explanation)
        Campaign.objects.filter(pk=campaign.pk).update(pacing=state)

    def _complete_if_done(self, campaign: Campaign) -> None:
        if not Lead.objects.filter(campaign=campaign, status__in=[LeadStatus.PENDING, LeadStatus.DIALING]).exists():
            Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.RUNNING).update(status=CampaignStatus.COMPLETED)

    # ---------------------------------------------------------------- dialling

    def _dial(self, campaign: Campaign, wanted: int, now: dt.datetime) -> int:
        placed = 0
        seen: set[int] = set()
        while placed < wanted:
            due = list(
                Lead.objects.filter(campaign=campaign, status=LeadStatus.PENDING)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .exclude(pk__in=seen)
                .order_by(F("next_attempt_at").asc(nulls_first=True), "id")
                .values_list("pk", flat=True)[: max(20, 2 * (wanted - placed))]
            )  # fmt: skip
            if not due:
                break
            seen.update(due)
            # One transaction a chunk: pbx starts on the first chunk's calls while the next is checked.
            for chunk in _chunks(due, FIRST_CHUNK if placed == 0 else CHUNK, CHUNK):
                placed += len(self.dial_leads(campaign, chunk, now, limit=wanted - placed))
                if placed >= wanted:
                    break
        return placed

    def dial_lead(self, campaign: Campaign, lead_id: int, now: dt.datetime) -> CallAttempt | None:
        """Check and call one lead (also the preview mode's "dial" button). None if not called."""
        attempts = self.dial_leads(campaign, [lead_id], now)
        return attempts[0] if attempts else None

    def dial_leads(self, campaign: Campaign, lead_ids: list[int], now: dt.datetime,
                   limit: int | None = None) -> list[CallAttempt]:  # fmt: skip
        """Check and call these leads, in this order, in one transaction: at most ``limit``.

        The do-not-call list and every compliance rule are checked inside it, against what is
        stored now; a lead another dialer took meanwhile is skipped. The commands go to pbx
        after the commit, in one round trip."""
        order = {lead_id: i for i, lead_id in enumerate(lead_ids)}
        try:
            with transaction.atomic():
                # Rows locked in primary-key order so that two dialers cannot deadlock
                # (PostgreSQL); on SQLite the IMMEDIATE transaction's write lock serialises them.
                leads = list(Lead.objects.select_for_update().filter(pk__in=lead_ids, status=LeadStatus.PENDING)
                             .order_by("pk"))  # fmt: skip
                leads.sort(key=lambda lead: order[lead.pk])
                facts = self._facts(campaign, leads)
                windows, rules = campaign.windows(), campaign.attempt_rules()
                attempts: list[CallAttempt] = []
                dialled: list[int] = []
                for lead in leads:
                    if limit is not None and len(attempts) >= limit:
                        break
                    verdict = compliance.may_dial(facts[lead.pk], windows, rules, now)
                    if not verdict.ok:
                        self._refused(campaign, lead, verdict, now)
                        continue
                    attempts.append(CallAttempt(
                        campaign=campaign, lead=lead, number=lead.attempts + 1, call_id=new_id(), command_id=new_id(),
                        dial_mode=campaign.dial_mode, endpoint=self.dial_plan(campaign.trunk, lead.phone),
                        created_at=now,
                    ))  # fmt: skip
                    dialled.append(lead.pk)
                if not attempts:
                    return []
                bulk.insert_rows(CallAttempt, attempts, ATTEMPT_FIELDS)
                # One UPDATE for them all (bulk_update's CASE per row costs more than the rest).
                Lead.objects.filter(pk__in=dialled).update(
                    status=LeadStatus.DIALING, attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=None,
                    not_before_reason="", updated_at=timezone.now(),
                )  # fmt: skip
                commands = [(attempt.pk, build_command(campaign, attempt.lead, attempt)) for attempt in attempts]
                transaction.on_commit(lambda: self._send(commands))
        except IntegrityError:  # another dialer got one of them first (one live attempt per lead)
            if len(lead_ids) == 1:
                log.info("lead %s is already being called", lead_ids[0])
                return []
            placed: list[CallAttempt] = []
            for lead_id in lead_ids:  # one at a time, still never past the limit
                if limit is not None and len(placed) >= limit:
                    break
                placed += self.dial_leads(campaign, [lead_id], now)
            return placed
        return attempts

    def _facts(self, campaign: Campaign, leads: list[Lead]) -> dict[int, compliance.LeadFacts]:
        on_dnc = set(DoNotCall.objects.filter(phone__in={lead.phone for lead in leads}).values_list("phone", flat=True))
        attempt_times: dict[int, list[dt.datetime]] = defaultdict(list)
        for lead_id, created_at in CallAttempt.objects.filter(lead__in=leads).values_list("lead_id", "created_at"):
            attempt_times[lead_id].append(created_at)
        return {
            lead.pk: compliance.LeadFacts(
                phone=lead.phone, time_zones=tuple(lead.time_zones or [campaign.default_time_zone]),
                on_dnc=lead.phone in on_dnc, attempt_times=tuple(attempt_times[lead.pk]),
                next_attempt_at=lead.next_attempt_at,
            )  # fmt: skip
            for lead in leads
        }

    def _refused(self, campaign: Campaign, lead: Lead, verdict: compliance.Verdict, now: dt.datetime) -> None:
        reason = verdict.refusal.value if verdict.refusal else ""
        if verdict.final:
            if verdict.refusal is compliance.Refusal.MAX_ATTEMPTS:
                services.complete_lead(lead, lead.outcome or "max_attempts", lead.outcome_detail, now)
            else:
                services.complete_lead(lead, reason, "never dialled", now, status=LeadStatus.BLOCKED)
            log.info("lead %s finished without a call: %s", lead.pk, reason)
            return
        lead.next_attempt_at = verdict.retry_at or now + dt.timedelta(days=1)
        lead.not_before_reason = reason
        lead.save(update_fields=["next_attempt_at", "not_before_reason", "updated_at"])

    def _send(self, commands: list[tuple[int, OriginateCall]]) -> None:
        """``(attempt id, command)`` pairs to pbx in one round trip; marked sent once they are."""
        try:
            self.link.send([command for _, command in commands])
        except Exception:  # Redis down: the attempts stay unsent and go out on a later tick
            log.exception("could not send the commands of %d attempt(s); will retry", len(commands))
            return
        self.sent += len(commands)
        CallAttempt.objects.filter(pk__in=[pk for pk, _ in commands], command_sent_at__isnull=True).update(
            command_sent_at=self.clock())

    def resend_unsent(self) -> int:
        unsent = list(CallAttempt.objects.filter(status=AttemptStatus.QUEUED, command_sent_at__isnull=True)
                      .select_related("campaign__escalation_queue", "lead"))  # fmt: skip
        if unsent:
            self._send([(attempt.pk, build_command(attempt.campaign, attempt.lead, attempt)) for attempt in unsent])
        return len(unsent)
