"""Agents, queues and the do-not-call list moved from campaigns to people with their tables:
a database made before the move keeps its rows, read through the new models."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from contactcenter.campaigns.models import Campaign
from contactcenter.console.models import AgentProfile
from contactcenter.people.models import Agent, AgentState, DoNotCall, HumanQueue
from contactcenter.people.roles import Role, role_of

# The last migrations before the move (main's tree), and people not yet installed.
BEFORE_THE_MOVE = [("campaigns", "0001_initial"), ("console", "0001_initial"), ("people", None)]


def _migrate(targets: list[tuple[str, str | None]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps  # the project's state once there


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_through_the_people_models() -> None:
    old = _migrate(BEFORE_THE_MOVE)
    OldQueue, OldAgent, OldDnc = (old.get_model("campaigns", name) for name in ("HumanQueue", "Agent", "DoNotCall"))
    # (The fail-safe queue survives migrating back: its row is kept when its migration is undone.)
    support, _ = OldQueue.objects.update_or_create(name="support", defaults={"description": "before the move"})
    sales = OldQueue.objects.create(name="sales")
    agent = OldAgent.objects.create(name="agent1", display_name="Asha", state=AgentState.AVAILABLE)
    agent.queues.add(support)
    campaign = old.get_model("campaigns", "Campaign").objects.create(name="Old", type="order_confirmation",
                                                                    escalation_queue=support)  # fmt: skip
    campaign.overflow_queues.add(sales)
    OldDnc.objects.create(phone="+919800000001", source="api", campaign=campaign)
    user = old.get_model("auth", "User").objects.create(username="asha")
    old.get_model("console", "AgentProfile").objects.create(user=user, agent=agent)
    # A permission given before the move stays given: its content type follows the model.
    old_types = old.get_model("contenttypes", "ContentType").objects
    agent_type, _ = old_types.get_or_create(app_label="campaigns", model="agent")
    old_types.filter(app_label="people", model="agent").delete()
    change_agent, _ = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=agent_type, codename="change_agent", defaults={"name": "Can change agent"})
    old.get_model("auth", "Group").objects.create(name="supervisors").permissions.add(change_agent)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = Agent.objects.get()
    assert (moved.name, moved.display_name, moved.state) == ("agent1", "Asha", AgentState.AVAILABLE)
    assert [q.name for q in moved.queues.all()] == ["support"]
    assert HumanQueue.objects.get(name="support").description == "before the move"
    assert Campaign.objects.get().queue_names() == ["support", "sales"]
    entry = DoNotCall.objects.get()
    assert (entry.phone, entry.source, entry.campaign.name) == ("+919800000001", "api", "Old")
    assert AgentProfile.objects.get().agent == moved
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Agent) == ContentType.objects.get(pk=agent_type.pk)
    supervisors = Group.objects.get(name="supervisors")
    assert supervisors.permissions.get() == Permission.objects.get(codename="change_agent")
    # Roles came later (console.0003): a user linked to an agent got the agent role, keeping the console.
    assert role_of(AgentProfile.objects.get().user) == Role.AGENT
