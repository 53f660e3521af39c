"""Memberships stored before queues had penalties are kept (the M2M table became QueueMembership's),
the fail-safe queue and the trunk the stack hard-wired exist after migrating."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from contactcenter.people.models import Agent, HumanQueue, QueueMembership
from contactcenter.telephony.models import Trunk

BEFORE = [("people", "0002_content_types_moved"), ("telephony", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


@pytest.mark.django_db(transaction=True)
def test_memberships_made_before_penalties_are_kept_with_penalty_zero() -> None:
    old = _migrate(BEFORE)
    OldQueue, OldAgent = old.get_model("people", "HumanQueue"), old.get_model("people", "Agent")
    OldQueue.objects.filter(name="support").delete()
    sales, billing = OldQueue.objects.create(name="sales"), OldQueue.objects.create(name="billing")
    asha, ravi = OldAgent.objects.create(name="agent1"), OldAgent.objects.create(name="agent2")
    asha.queues.add(sales, billing)
    ravi.queues.add(sales)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    kept = sorted(QueueMembership.objects.values_list("agent__name", "queue__name", "penalty"))
    assert kept == [("agent1", "billing", 0), ("agent1", "sales", 0), ("agent2", "sales", 0)]
    assert sorted(q.name for q in Agent.objects.get(name="agent1").queues.all()) == ["billing", "sales"]
    assert HumanQueue.objects.get(name="sales").strategy == "rrmemory"
    assert HumanQueue.objects.filter(name="support").exists()  # the fail-safe queue
    trunk = Trunk.objects.get(name="trunk")
    assert (trunk.host, trunk.port) == ("127.0.0.1", 5070)
    # The penalty is a column of the old table now, and the pair is still unique.
    membership = QueueMembership.objects.get(agent__name="agent2")
    membership.penalty = 7
    membership.save()
    assert QueueMembership.objects.get(agent__name="agent2").penalty == 7
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        QueueMembership.objects.create(agent=membership.agent, queue=membership.queue)


@pytest.mark.django_db
def test_every_migrate_makes_the_failsafe_queue_the_setting_names(settings) -> None:
    from django.core.management import call_command

    settings.CC_FAILSAFE_QUEUE = "frontdesk"
    call_command("migrate", verbosity=0)
    assert HumanQueue.objects.filter(name="frontdesk").exists()
