"""Campaigns stored with the old default retry rules (which named "lost", not a call outcome)
still load once retry rules accept call outcomes only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from contactcenter.campaigns.models import Campaign


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


@pytest.mark.django_db(transaction=True)
def test_lost_is_dropped_from_stored_retry_rules_and_the_rest_kept() -> None:
    old = _migrate([("campaigns", "0002_people_moved_out")])
    support, _ = old.get_model("people", "HumanQueue").objects.get_or_create(name="support")
    old.get_model("campaigns", "Campaign").objects.create(
        name="Old", type="order_confirmation", escalation_queue=support,
        retry_minutes={"no_answer": 90, "lost": 60, "busy": 15})  # fmt: skip

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    campaign = Campaign.objects.get()
    assert campaign.retry_minutes == {"no_answer": 90, "busy": 15}
    assert campaign.attempt_rules().retry_after.keys() == {"no_answer", "busy"}
