"""The demo scenario: its campaign (created, started), followed call by call, and summarised.

``manage.py demo`` creates a shop's order-confirmation campaign (imported from a CSV like an
admin's upload), starts it, and reads back what the dialer and pbx recorded. Only the people
are simulated (``ops.simulator.demo``): the campaign dials their numbers through the
dialplan context that answers them.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contactcenter.campaigns import imports, services
from contactcenter.campaigns.models import (
    LIVE_ATTEMPT_STATUSES,
    AttemptStatus,
    CallAttempt,
    Campaign,
    CampaignStatus,
    Lead,
    LeadStatus,
)
from contactcenter.ledger.models import Transfer
from contactcenter.people.models import Agent, AgentState
from ops.demo.people import DEMO_AGENTS, ensure_demo_people
from ops.simulator.scripts import DEMO_LEADS, DemoLead
from pbx.api import CallOutcome
from pbx.dialog import FLOW_OUTCOMES
from voicewatch.policy import Policy

DEMO_NAME = "Demo Shop order confirmation"
SIMULATED_CUSTOMERS_TRUNK = "local:cc-sim-reactive"
# A call the bot finished: any outcome a flow ends with, but silence.
BOT_OUTCOMES = FLOW_OUTCOMES - {CallOutcome.NO_RESPONSE}
ALWAYS_OPEN = [{"days": list(range(7)), "start": "00:00", "end": "23:59"}]


def demo_leads(count: int) -> list[DemoLead]:
    if not 1 <= count <= len(DEMO_LEADS):
        raise ValueError(f"the demo has 1 to {len(DEMO_LEADS)} leads, not {count}")
    return list(DEMO_LEADS[:count])


def leads_csv(leads: list[DemoLead]) -> bytes:
    lines = ["first_name,phone,order_id,item,amount,currency"]
    lines += [f"{d.first_name},{d.phone},{d.order_id},{d.item},{d.amount},rupees" for d in leads]
    return ("\n".join(lines) + "\n").encode()


@transaction.atomic
def create_demo_campaign(leads: list[DemoLead], max_lines: int = 4, retry_failed_after_s: float | None = None) -> Campaign:
    """A new campaign per run (earlier runs stay in the admin to compare), started.
    ``retry_failed_after_s``: a call that failed (never answered: e.g. cut by an Asterisk
    restart) is called again this soon, with no minimum gap, so the retry is part of the run."""
    queue = ensure_demo_people(settings.STACK.ports.sim_agent)
    # Available unless an admin paused them: the simulated softphones are always on.
    Agent.objects.filter(name__in=DEMO_AGENTS).exclude(state=AgentState.PAUSED).update(
        state=AgentState.AVAILABLE, state_changed_at=timezone.now())
    Campaign.objects.filter(name__startswith=DEMO_NAME).exclude(
        status__in=[CampaignStatus.STOPPED, CampaignStatus.COMPLETED]).update(status=CampaignStatus.STOPPED)  # fmt: skip
    run = Campaign.objects.filter(name__startswith=DEMO_NAME).count() + 1
    campaign = Campaign(
        name=f"{DEMO_NAME} #{run}", type="order_confirmation", escalation_queue=queue, dial_mode="ai_first",
        max_concurrent_calls=max_lines, calling_windows=ALWAYS_OPEN, caller_id="+911800100100",
        trunk=SIMULATED_CUSTOMERS_TRUNK, ring_timeout_s=20,
        # Written out (not left empty for "the default") so the admin shows what there is to tune.
        policy=Policy().to_dict(),
        safe_harbour_message="Sorry, all our agents are busy. We will call you back shortly.",
    )  # fmt: skip
    if retry_failed_after_s is not None:
        campaign.retry_minutes = {**campaign.retry_minutes, CallOutcome.FAILED: retry_failed_after_s / 60}
        campaign.min_gap_minutes = 0
    campaign.full_clean()
    campaign.save()
    batch = imports.import_leads(campaign, "demo-leads.csv", leads_csv(leads), list_name="Demo customers")
    if batch.imported != len(leads):
        raise RuntimeError(f"demo import kept {batch.imported} of {len(leads)} rows: {batch.problems}")
    transaction.on_commit(lambda: services.do_change_campaign_status(campaign.pk, "start"))
    return campaign


@dataclass(frozen=True)
class LeadCall:
    """A demo lead's latest call, as the dialer recorded it; ``settled``: that call ended and
    the dialer calls the lead no more within the run (a retry later is left to the campaign)."""

    lead: DemoLead
    attempt: CallAttempt | None
    settled: bool


def latest_calls(campaign: Campaign, leads: list[DemoLead], run_ends_at: dt.datetime) -> list[LeadCall]:
    by_phone = {lead.phone: lead for lead in leads}
    attempts = {a.lead.phone: a for a in CallAttempt.objects.filter(campaign=campaign).select_related("lead")
                .order_by("number")}  # fmt: skip
    calls = []
    for phone, lead in by_phone.items():
        a = attempts.get(phone)
        retry_at = a.lead.next_attempt_at if a is not None and a.lead.status == LeadStatus.PENDING else None
        ended = a is not None and a.status == AttemptStatus.ENDED and a.lead.status != LeadStatus.DIALING
        calls.append(LeadCall(lead, a, ended and (retry_at is None or retry_at > run_ends_at)))
    return calls


def wait_until_settled(campaign: Campaign, leads: list[DemoLead], timeout_s: float, say=print,
                       poll_s: float = 1.0) -> list[LeadCall]:  # fmt: skip
    """Until every lead's latest call has ended and no retry is due within the run (or the
    timeout), narrating what changes."""
    seen: dict[str, tuple] = {}
    deadline = time.monotonic() + timeout_s
    run_ends_at = timezone.now() + dt.timedelta(seconds=timeout_s)
    while True:
        calls = latest_calls(campaign, leads, run_ends_at)
        for call in calls:
            a = call.attempt
            state = (a.number, a.status, a.escalation_reason, a.agent, a.outcome) if a else None
            if state is not None and state != seen.get(call.lead.phone):
                seen[call.lead.phone] = state
                say(_narrate(call.lead, a))
        if all(c.settled for c in calls) or time.monotonic() > deadline:
            return calls
        time.sleep(poll_s)


def _narrate(lead: DemoLead, a: CallAttempt) -> str:
    who = f"{lead.first_name} ({lead.script.name})" + (f", call {a.number}" if a.number > 1 else "")
    if a.status == AttemptStatus.ENDED:
        return f"[demo] {who}: call ended, {a.outcome}" + (f" (agent {a.agent})" if a.agent else "")
    if a.status == AttemptStatus.WITH_AGENT:
        return f"[demo] {who}: answered by {a.agent}"
    if a.status == AttemptStatus.WAITING_AGENT:
        return f"[demo] {who}: VoiceWatch escalated ({a.escalation_reason}), waiting for an agent"
    if a.status == AttemptStatus.WITH_BOT:
        return f"[demo] {who}: talking to the bot"
    return f"[demo] {who}: calling"


def stop_campaign(campaign: Campaign) -> None:
    """Later retries (callbacks tomorrow) would ring simulated people who are gone by then."""
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.STOPPED)


def _ledger_transfers(attempts: list[CallAttempt], wait_s: float = 5.0) -> dict:
    """The ledger's transfer rows of these calls. pbx writes the ledger just behind its event
    stream, so a row can trail the attempt it belongs to by a moment."""
    deadline = time.monotonic() + wait_s
    while True:
        transfers = {t.call_id: t for t in Transfer.objects.filter(call_id__in=[a.call_id for a in attempts])
                     .order_by("id")}  # fmt: skip
        complete = len(transfers) == len(attempts) and all(t.decision_to_queue_ms is not None
                                                           for t in transfers.values())  # fmt: skip
        if complete or time.monotonic() > deadline:
            return transfers
        time.sleep(0.2)


def summarise(campaign: Campaign, calls: list[LeadCall], elapsed_s: float) -> dict:
    attempts = [c.attempt for c in calls if c.attempt is not None]
    escalated = [c for c in calls if c.attempt is not None and c.attempt.escalated_at is not None]
    transfers = _ledger_transfers([c.attempt for c in escalated])

    def decision_to_queue_s(a: CallAttempt) -> float | None:
        """From VoiceWatch's decision (not the end of any phrase) to AMI QueueCallerJoin, in ms steps."""
        t = transfers.get(a.call_id)
        return round(t.decision_to_queue_ms / 1000, 3) if t and t.decision_to_queue_ms is not None else None

    campaign.refresh_from_db()
    return {
        "campaign": {"id": campaign.pk, "name": campaign.name, "leads": Lead.objects.filter(campaign=campaign).count(),
                     "last_pacing": campaign.pacing},  # fmt: skip
        # Every call placed, retries too; the rest is about each lead's latest call.
        "calls": CallAttempt.objects.filter(campaign=campaign).count(),
        "completed_by_bot": sum(1 for a in attempts if a.outcome in BOT_OUTCOMES and a.escalated_at is None),
        "escalated": len(escalated),
        "answered_by_agent": sum(1 for c in escalated if c.attempt.agent_connected_at is not None),
        "escalations": [
            {"lead": c.attempt.lead_id, "name": c.lead.first_name, "script": c.lead.script.name,
             "call_id": c.attempt.call_id, "reason": c.attempt.escalation_reason,
             "decision_to_queue_s": decision_to_queue_s(c.attempt), "agent": c.attempt.agent or None}
            for c in escalated
        ],  # fmt: skip
        "outcomes": {c.lead.first_name: (c.attempt.outcome if c.attempt else None) for c in calls},
        "expected_escalations_missed": [c.lead.first_name for c in calls
                                        if c.lead.expect_escalation and not (c.attempt and c.attempt.escalated_at)],
        "routine_escalated": [c.lead.first_name for c in calls
                              if not c.lead.expect_escalation and c.attempt and c.attempt.escalated_at],
        # Every lead must have a call that ended: never dialled, never settled or a retry due
        # within the run that never came is lost.
        "lost": sum(1 for c in calls if not c.settled),
        "still_live": sum(1 for a in attempts if a.status in LIVE_ATTEMPT_STATUSES),
        "elapsed_s": round(elapsed_s, 1),
    }  # fmt: skip
