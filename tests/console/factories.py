"""Console test data: a web agent with its user (agent role), a campaign lead and its escalated call attempt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from contactcenter.campaigns.models import AttemptStatus, CallAttempt, Campaign, Disposition, Lead
from contactcenter.console.models import AgentProfile
from contactcenter.people.models import Agent, AgentState, HumanQueue, PauseReason
from contactcenter.people.roles import Role, set_role

PASSWORD = "console-test-password"


@dataclass
class ConsoleWorld:
    user: object
    agent: Agent
    queue: HumanQueue
    lead: Lead
    attempt: CallAttempt


def make_world(agent_name: str = "webagent1", queue_name: str = "web") -> ConsoleWorld:
    queue, _ = HumanQueue.objects.get_or_create(name=queue_name)
    agent = Agent.objects.create(name=agent_name, display_name="Priya (web)", state=AgentState.OFFLINE)
    agent.queues.add(queue)
    user = get_user_model().objects.create_user("priya", password=PASSWORD)
    set_role(user, Role.AGENT)
    AgentProfile.objects.create(user=user, agent=agent)
    campaign = Campaign.objects.create(name="Order confirmations", type="order_confirmation", escalation_queue=queue)
    lead = Lead.objects.create(
        campaign=campaign, phone="+919800000001", first_name="Asha", time_zones=["Asia/Kolkata"],
        external_id="CRM-77", fields={"order_id": "A1001", "item": "a steel water bottle", "amount": "499"},
        attempts=1,
    )  # fmt: skip
    attempt = CallAttempt.objects.create(
        campaign=campaign, lead=lead, number=1, call_id=str(uuid.uuid4()), command_id=str(uuid.uuid4()),
        dial_mode="progressive", endpoint="PJSIP/+919800000001@trunk", status=AttemptStatus.WAITING_AGENT,
        created_at=timezone.now(), escalation_queue=queue_name, escalation_reason="anger",
    )  # fmt: skip
    Disposition.objects.get_or_create(code="resolved", defaults={"label": "Resolved", "final": True})
    Disposition.objects.get_or_create(code="call_back", defaults={"label": "Call back", "final": False})
    # The admin's list (a data migration seeds it, but transactional tests start from empty tables).
    for order, label in enumerate(("Lunch", "Training"), start=1):
        PauseReason.objects.get_or_create(label=label, defaults={"order": order})
    return ConsoleWorld(user, agent, queue, lead, attempt)
