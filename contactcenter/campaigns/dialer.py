"""The dialer: picks due leads, checks them, paces, and sends originate commands to pbx.

One :meth:`Dialer.tick` per second (``manage.py dialer``): for each running campaign it
builds a pacing snapshot from the database (its calls in progress, its escalation and answer
rates, free agents of its queues) and pbx's live counts in Redis, asks ``pacing.decide`` how
many calls to start, and starts them a chunk of leads per transaction: the do-not-call list
and every compliance rule are checked again inside it, the attempts are recorded, and the
commands go on the Redis stream (one round trip) only after the commit. If the send fails
the attempts stay unsent and are sent again on the next tick with the same ids, so pbx never
gets two calls for one attempt.

What pbx is to the dialer (live counts, commands, dial plans) is in ``pbx_link``; what the
pacer is told about each campaign, in ``pacing_inputs``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from contactcenter.campaigns import bulk, compliance, dial_targets, pacing, services
from contactcenter.campaigns.db_outage import DatabaseOutage
from contactcenter.campaigns.models import (
    AttemptStatus,
    CallAttempt,
    Campaign,
    CampaignStatus,
    Lead,
    LeadStatus,
)
from contactcenter.campaigns.pacing_inputs import CampaignView, campaign_view, pacing_snapshot
from contactcenter.campaigns.pbx_link import DialPlan, PbxLink, build_command, trunk_dial_plan
from contactcenter.campaigns.stale_attempts import end_stale_attempts
from contactcenter.metrics.instruments import DialerMetrics, dialer_metrics
from contactcenter.people.models import DoNotCall
from pbx.api import LiveCounts, OriginateCall, new_id

log = logging.getLogger(__name__)

CHUNK = 25  # leads checked and recorded in one transaction
# A tick's first chunk is smaller: pbx and Asterisk start on its calls sooner, while the rest
# are checked (the benchmark: ``python -m benchmarks dialer``, ``ours_breakdown_s.first_command_sent``).
FIRST_CHUNK = 10
SWEEP_EVERY_S = 60.0  # attempts pbx left without news (stale_attempts): a last safety net, not a pace
# What dial_leads sets on a new attempt; every other column is its default (see bulk.insert_rows).
ATTEMPT_FIELDS = ("campaign", "lead", "number", "call_id", "command_id", "dial_mode", "endpoint", "created_at")


def _chunks(items: list[int], first: int, size: int) -> Iterator[list[int]]:
    yield items[:first]
    for start in range(first, len(items), size):
        yield items[start:start + size]


def _unusable_dial_target(campaign: Campaign) -> str:
    """Why a campaign's trunk or caller ID must not be dialled (a row saved before they were
    checked): the campaign waits, says why, and the dialer goes on with the others."""
    try:
        dial_targets.check_trunk(campaign.trunk)
        dial_targets.check_caller_id(campaign.caller_id)
    except dial_targets.DialTargetError as exc:
        return str(exc)
    return ""


class Dialer:
    def __init__(self, link: PbxLink, dial_plan: DialPlan = trunk_dial_plan,
                 clock: Callable[[], dt.datetime] = timezone.now, site_max_ai_lines: int | None = None,
                 live_max_age_s: float = 5.0, wall_clock: Callable[[], float] = time.time,
                 metrics: DialerMetrics | None = None) -> None:  # fmt: skip
        """``metrics``: counts the originates sent (``GET /metrics``); the process's own by default."""
        self.link = link
        self.metrics = metrics or dialer_metrics()
        self.dial_plan = dial_plan
        self.clock = clock
        self.site_max_ai_lines = site_max_ai_lines
        self.live_max_age_s = live_max_age_s
        self.wall_clock = wall_clock
        self.sent = 0
        self.outage = DatabaseOutage()
        # Attempts whose commands went to pbx but whose "sent" mark the database refused: never sent again.
        self._sent_unmarked: set[int] = set()
        self._next_sweep = 0.0

    # ---------------------------------------------------------------- one tick

    def tick(self) -> dict[int, pacing.Decision]:
        now = self.clock()
        self.resend_unsent()  # the first query: a database still unavailable fails the tick here
        self.outage.answered()
        catching_up, self.outage.resumed_after_s = self.outage.resumed_after_s, None
        if self.wall_clock() >= self._next_sweep:
            self._next_sweep = self.wall_clock() + SWEEP_EVERY_S
            end_stale_attempts(now)
        live = self.link.live_counts()
        live_ok = live is not None and live.fresh(self.wall_clock(), self.live_max_age_s)
        running = list(Campaign.objects.filter(status=CampaignStatus.RUNNING).select_related("escalation_queue")
                       .prefetch_related("overflow_queues"))  # fmt: skip
        views = [campaign_view(c) for c in running]
        decisions: dict[int, pacing.Decision] = {}
        site_free = self._site_lines_free(live) if live_ok else None
        inbound = self._inbound_waiting()
        for view in views:
            campaign = view.campaign
            unusable = _unusable_dial_target(campaign)
            if catching_up is not None:
                decision = pacing.Decision(0, pacing.Bound.DATABASE, explanation=(
                    f"the database was unavailable for {catching_up:.0f} s: nothing was dialled; "
                    "pbx's events are applied before pacing again"))  # fmt: skip
            elif unusable:
                decision = pacing.Decision(0, pacing.Bound.CONFIGURATION, explanation=f"not dialling: {unusable}")
            elif not live_ok:
                decision = pacing.Decision(0, pacing.Bound.SITE, explanation="pbx is not reporting live counts")
            else:
                decision = pacing.decide(pacing_snapshot(view, views, site_free, inbound))
            placed = self._dial(campaign, decision.calls, now) if decision.calls else 0
            if site_free is not None and campaign.is_ai:
                site_free -= placed
            decisions[campaign.pk] = decision
            self._record_pacing(campaign, view, decision, placed, now)
            self._complete_if_done(campaign)
        return decisions

    def _inbound_waiting(self) -> dict[str, int]:
        """Inbound callers waiting per queue, as pbx last wrote them with its live counts; a pbx
        that writes none (or stopped) leaves none, as before inbound callers were counted."""
        waiting = self.link.inbound_waiting()
        if waiting is None or not waiting.fresh(self.wall_clock(), self.live_max_age_s):
            return {}
        return waiting.queues

    def _site_lines_free(self, live: LiveCounts) -> int | None:
        if self.site_max_ai_lines is None:
            return None
        not_started = CallAttempt.objects.filter(status=AttemptStatus.QUEUED).count()
        return max(0, self.site_max_ai_lines - live.dialing - live.ai_calls - not_started)

    def _record_pacing(self, campaign: Campaign, view: CampaignView, decision: pacing.Decision, placed: int,
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
                # The trunk is the site's (the dial plan checks each call's shape only), and what it carries.
                destinations = dial_targets.trunk_destinations(dial_targets.check_trunk(campaign.trunk))
                attempts: list[CallAttempt] = []
                dialled: list[int] = []
                for lead in leads:
                    if limit is not None and len(attempts) >= limit:
                        break
                    # A number the trunk does not carry is final, whatever the hour.
                    verdict = (compliance.may_dial(facts[lead.pk], windows, rules, now)
                               if dial_targets.allowed_on_trunk(lead.phone, destinations)
                               else compliance.Verdict(False, compliance.Refusal.NOT_ON_TRUNK))  # fmt: skip
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
                # One UPDATE for them all (bulk_update's CASE per row costs more than the rest;
                # the benchmark: ``python -m benchmarks dialer``, see bulk.py).
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
        self.metrics.sent([command for _, command in commands])
        pks = [pk for pk, _ in commands]
        try:
            self._mark_sent(pks)
        except DatabaseError as exc:
            # Sent, but not marked so: resending them would dial the customer again once pbx has
            # ended the first call. Remembered, and marked when the database answers.
            self._sent_unmarked.update(pks)
            log.warning("%d command(s) sent but not marked sent (%s); marked later, never resent", len(pks), exc)

    def _mark_sent(self, pks: list[int]) -> None:
        CallAttempt.objects.filter(pk__in=pks, command_sent_at__isnull=True).update(command_sent_at=self.clock())

    def resend_unsent(self) -> int:
        if self._sent_unmarked:
            self._mark_sent(sorted(self._sent_unmarked))
            self._sent_unmarked.clear()
        unsent = list(CallAttempt.objects.filter(status=AttemptStatus.QUEUED, command_sent_at__isnull=True)
                      .select_related("campaign__escalation_queue", "lead"))  # fmt: skip
        if unsent:
            self._send([(attempt.pk, build_command(attempt.campaign, attempt.lead, attempt)) for attempt in unsent])
        return len(unsent)
