"""The dialer's cheap writes and counts give what the ORM's own would."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from contactcenter.campaigns.bulk import insert_rows
from contactcenter.campaigns.dialer import ATTEMPT_FIELDS
from contactcenter.campaigns.models import CallAttempt, Lead
from contactcenter.people import agents
from contactcenter.people.models import Agent, AgentSkill, AgentState, HumanQueue, Skill
from tests.campaigns.conftest import NOW


def _attempt(campaign, lead, call_id: str) -> CallAttempt:
    return CallAttempt(campaign=campaign, lead=lead, number=1, call_id=call_id, command_id=f"cmd-{call_id}",
                       dial_mode="ai_first", endpoint="Local/s@customers", created_at=NOW)  # fmt: skip


def _stored(pk: int) -> dict:
    """Every column but those that must differ between two rows."""
    row = model_to_dict(CallAttempt.objects.get(pk=pk))
    return {k: v for k, v in row.items() if k not in ("id", "call_id", "command_id", "lead")}


def test_insert_rows_stores_what_bulk_create_stores(make_campaign, make_lead) -> None:
    campaign = make_campaign()
    lead_a, lead_b = make_lead(campaign, "+919800000001"), make_lead(campaign, "+919800000002")
    [by_orm] = CallAttempt.objects.bulk_create([_attempt(campaign, lead_a, "orm")])
    ours = _attempt(campaign, lead_b, "ours")
    insert_rows(CallAttempt, [ours], ATTEMPT_FIELDS)
    assert ours.pk is not None and not ours._state.adding
    assert _stored(ours.pk) == _stored(by_orm.pk)
    row = CallAttempt.objects.get(pk=ours.pk)
    assert (row.lead_id, row.call_id, row.command_id, row.status) == (lead_b.pk, "ours", "cmd-ours", "queued")


def test_insert_rows_sets_each_primary_key_across_statements(make_campaign) -> None:
    campaign = make_campaign()
    leads = Lead.objects.bulk_create(Lead(campaign=campaign, phone=f"+9198{i:08d}") for i in range(120))
    attempts = [_attempt(campaign, lead, f"c{i}") for i, lead in enumerate(leads)]
    insert_rows(CallAttempt, attempts, ATTEMPT_FIELDS)  # more values than one statement takes
    stored = dict(CallAttempt.objects.values_list("pk", "call_id"))
    assert len(stored) == 120 and all(stored[a.pk] == a.call_id for a in attempts)


def test_insert_rows_refuses_to_leave_an_automatic_date_empty(make_campaign) -> None:
    lead = Lead(campaign=make_campaign(), phone="+919800000001")
    with pytest.raises(ValueError, match="created_at"):
        insert_rows(Lead, [lead], ["campaign", "phone"])
    assert not Lead.objects.exists()


def test_insert_rows_breaks_a_constraint_as_bulk_create_would(make_campaign, make_lead) -> None:
    campaign = make_campaign()
    lead = make_lead(campaign, "+919800000001")
    insert_rows(CallAttempt, [_attempt(campaign, lead, "first")], ATTEMPT_FIELDS)
    with pytest.raises(IntegrityError), transaction.atomic():  # one live attempt per lead
        insert_rows(CallAttempt, [_attempt(campaign, lead, "second")], ATTEMPT_FIELDS)
    assert list(CallAttempt.objects.values_list("call_id", flat=True)) == ["first"]


def test_agent_counts_count_each_agent_once_by_state(db) -> None:
    sales, other = (HumanQueue.objects.create(name=n) for n in ("sales", "other"))
    support, _ = HumanQueue.objects.get_or_create(name="support")  # the fail-safe queue: a migration makes it
    states = {"ana": AgentState.AVAILABLE, "bo": AgentState.AVAILABLE, "cy": AgentState.ON_CALL,
              "di": AgentState.RINGING, "ed": AgentState.WRAP_UP, "fay": AgentState.PAUSED,
              "gus": AgentState.OFFLINE, "hal": AgentState.AVAILABLE}  # fmt: skip
    for name, state in states.items():
        agent = Agent.objects.create(name=name, state=state)
        agent.queues.add(other if name == "hal" else sales)
        if name in ("ana", "cy"):  # in both queues: still one agent
            agent.queues.add(support)
    assert agents.agent_counts(["sales", "support"]) == agents.AgentCounts(free=2, busy=3)
    assert agents.agent_counts(["support"]) == agents.AgentCounts(free=1, busy=1)
    assert agents.agent_counts(["sales", "other"]).free == 3
    assert agents.agent_counts(["nobody"]) == agents.AgentCounts(free=0, busy=0)
    # A queue answered by a skill counts its holders too (pbx offers them its calls), once each.
    hindi = Skill.objects.create(name="hindi")
    HumanQueue.objects.filter(name="other").update(required_skill=hindi)
    for name in ("bo", "hal", "gus"):
        AgentSkill.objects.create(agent=Agent.objects.get(name=name), skill=hindi, level=7)
    assert agents.agent_counts(["other"]) == agents.AgentCounts(free=2, busy=0)
    assert agents.agent_counts(["sales", "other"]) == agents.AgentCounts(free=3, busy=3)
    by_agent = agents.queues_by_agent()  # what the wallboard shows
    assert by_agent[Agent.objects.get(name="bo").pk] == {"sales", "other"}
    assert by_agent[Agent.objects.get(name="ana").pk] == {"sales", "support"}
