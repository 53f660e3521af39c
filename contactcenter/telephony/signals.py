"""Every table the PBX's configuration is built from publishes it when it changes.

Campaigns are among them: a flow route carries its campaign's flow, policy and queue.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from contactcenter.telephony.publisher import publish_after_commit

FEEDING_MODELS = (
    "people.HumanQueue", "people.Agent", "people.QueueMembership", "people.Skill", "people.AgentSkill",
    "telephony.Trunk", "telephony.BusinessHours", "telephony.OpeningWindow", "telephony.Holiday",
    "telephony.InboundRoute", "campaigns.Campaign",
)  # fmt: skip


# Fields saved on their own as a site runs, which no snapshot holds: an agent going available
# or a campaign being started must not rebuild and republish the PBX on every click.
RUNTIME_FIELDS = {"people.Agent": frozenset({"state", "state_changed_at"}),
                  "campaigns.Campaign": frozenset({"status", "updated_at"})}  # fmt: skip


def _changed(sender: Any, raw: bool = False, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    if raw:  # loaddata: the data is not final yet
        return
    runtime = RUNTIME_FIELDS.get(sender._meta.label, frozenset())
    if update_fields is not None and runtime and set(update_fields) <= runtime:
        return
    publish_after_commit()


def _memberships_changed(sender: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        publish_after_commit()


def connect() -> None:
    from django.apps import apps

    for label in FEEDING_MODELS:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"pbx-config-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pbx-config-delete-{label}")
    # Agent.queues.add()/remove() go through the membership table without saving its rows one by one.
    from contactcenter.people.models import Agent

    m2m_changed.connect(_memberships_changed, sender=Agent.queues.through, dispatch_uid="pbx-config-agent-queues")
