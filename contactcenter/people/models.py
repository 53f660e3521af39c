"""People: human queues, the agents who answer them, and the numbers nobody may call.

These tables began in the campaigns app and kept their names (``Meta.db_table``) when they
moved here, so an existing database keeps its rows: the move was a state-only migration.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from contactcenter.campaigns import compliance
from contactcenter.core.choices import text_choices
from pbx.api import AgentState as AgentStateWord


class HumanQueue(models.Model):
    """A human queue in Asterisk (``cc-queue,<name>``), where escalations land.

    Minimal on purpose: the agent console will own queues, memberships and agent state; the
    dialer only needs :func:`contactcenter.people.agents.agent_counts`.
    """

    name = models.SlugField(max_length=80, unique=True, help_text="The Asterisk queue name.")
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "campaigns_humanqueue"

    def __str__(self) -> str:
        return self.name


# An agent's states are pbx.api's words: pbx reports phones' activity in them.
AgentState = text_choices(AgentStateWord)


class Agent(models.Model):
    """A human agent; ``name`` is its queue member name (the PJSIP endpoint, e.g. ``agent1``)."""

    name = models.SlugField(max_length=80, unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    # Its table is derived from Agent's db_table: campaigns_agent_queues, as before the move.
    queues = models.ManyToManyField(HumanQueue, related_name="agents", blank=True)
    state = models.CharField(max_length=16, choices=AgentState.choices, default=AgentState.OFFLINE)
    state_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "campaigns_agent"

    def __str__(self) -> str:
        return self.display_name or self.name


class DncSource(models.TextChoices):
    ADMIN = "admin"
    API = "api"
    IMPORT = "import"
    OPT_OUT = "opt_out"  # said during a call


class DoNotCall(models.Model):
    """A number nobody calls again, for every campaign."""

    phone = models.CharField(max_length=20, unique=True)
    source = models.CharField(max_length=16, choices=DncSource.choices, default=DncSource.ADMIN)
    reason = models.CharField(max_length=200, blank=True)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True,
                                 help_text="Where it came from (it applies to all campaigns).")  # fmt: skip
    call_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "campaigns_donotcall"
        verbose_name = "do-not-call entry"
        verbose_name_plural = "do-not-call list"

    def __str__(self) -> str:
        return self.phone

    def clean(self) -> None:
        if not compliance.is_valid_e164(self.phone):
            raise ValidationError({"phone": "not a valid E.164 number (e.g. +919800000001)"})
