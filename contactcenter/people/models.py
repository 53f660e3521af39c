"""People: human queues, the agents who answer them, their skills, and the numbers nobody may call.

These tables began in the campaigns app and kept their names (``Meta.db_table``) when they
moved here, so an existing database keeps its rows: the move was a state-only migration.

Queues and agents are what pbx renders into Asterisk (``pbx.api.telephony``): their values are
checked against that contract in ``clean`` (``contactcenter.core.contract_checks``), which
holds the bounds, so the admin and the API refuse what pbx would.
"""

from __future__ import annotations

import secrets

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from asterisk_config.music import music_classes
from contactcenter.campaigns import compliance
from contactcenter.core.choices import literal_choices, text_choices
from contactcenter.core.contract_checks import contract_errors, spec_default
from pbx.api import AgentState as AgentStateWord
from pbx.api import ReservationEnd
from pbx.api.telephony import (
    NAME_PATTERN,
    ORDERED_STRATEGIES,
    AgentPhone,
    PhoneTransport,
    QueueMember,
    QueueSpec,
    QueueStrategy,
)

# Queue and agent names become Asterisk section names and queue member names.
pbx_name = RegexValidator(NAME_PATTERN, "letters, digits, '_', '.' or '-', starting with a letter or digit "
                                        "(at most 40)")  # fmt: skip


def new_sip_password_salt() -> str:
    """An agent row's own salt for its SIP password (``pbx.api.agent_sip_password``)."""
    return secrets.token_hex(8)


def failsafe_queue_name() -> str:
    """The queue an answered call goes to when nothing else can take it (``CC_FAILSAFE_QUEUE``)."""
    return settings.CC_FAILSAFE_QUEUE


class Skill(models.Model):
    """What an agent can do (``billing``, ``hindi``); a queue that requires one is answered by its holders."""

    name = models.SlugField(max_length=40, unique=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HumanQueue(models.Model):
    """A human queue in Asterisk (``cc-queue,<name>``), where escalations and inbound callers wait.

    Its members are the agents put in it by hand (:class:`QueueMembership`, with a penalty) and
    the holders of its ``required_skill`` (the most skilled offered first); see
    ``contactcenter.telephony.snapshot``.
    """

    name = models.SlugField(max_length=80, unique=True, validators=[pbx_name], help_text="The Asterisk queue name.")
    description = models.CharField(max_length=200, blank=True)
    strategy = models.CharField(max_length=16, choices=literal_choices(QueueStrategy),
                                default=spec_default(QueueSpec, "strategy"),
                                help_text="Which free agent rings first. linear and rrordered cannot be switched "
                                          "to or from once the queue exists.")  # fmt: skip
    ring_timeout_s = models.PositiveIntegerField(default=spec_default(QueueSpec, "ring_timeout_s"),
                                                 help_text="How long one agent rings before the next.")  # fmt: skip
    max_wait_s = models.PositiveIntegerField(default=spec_default(QueueSpec, "max_wait_s"),
                                             help_text="How long a caller waits before going back to the bot "
                                                       "(which offers a callback).")  # fmt: skip
    wrap_up_s = models.PositiveIntegerField(default=spec_default(QueueSpec, "wrap_up_s"),
                                            help_text="Rest after a call before the agent rings again.")  # fmt: skip
    service_level_s = models.PositiveIntegerField(default=spec_default(QueueSpec, "service_level_s"),
                                                  help_text="Answered within this many seconds counts as in service level.")  # fmt: skip
    overflow_queue = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="overflowing_queues",
                                       help_text="After overflow_after_s here, a caller moves there (still waiting).")  # fmt: skip
    overflow_after_s = models.PositiveIntegerField(null=True, blank=True)
    music_class = models.CharField(max_length=40, default=spec_default(QueueSpec, "music_class"))
    announce_position = models.BooleanField(default=spec_default(QueueSpec, "announce_position"))
    announce_frequency_s = models.PositiveIntegerField(default=spec_default(QueueSpec, "announce_frequency_s"),
                                                       help_text="0: announce once.")  # fmt: skip
    required_skill = models.ForeignKey(Skill, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="queues",
                                       help_text="Agents with this skill answer the queue too (penalty 10 - level).")  # fmt: skip

    class Meta:
        db_table = "campaigns_humanqueue"

    def __str__(self) -> str:
        return self.name

    @property
    def is_failsafe(self) -> bool:
        return self.name == failsafe_queue_name()

    def clean(self) -> None:
        errors = contract_errors(QueueSpec, {
            "name": self.name, "strategy": self.strategy, "ring_timeout_s": self.ring_timeout_s,
            "max_wait_s": self.max_wait_s, "wrap_up_s": self.wrap_up_s, "service_level_s": self.service_level_s,
            "overflow_after_s": self.overflow_after_s, "music_class": self.music_class,
            "announce_position": self.announce_position, "announce_frequency_s": self.announce_frequency_s,
        })  # fmt: skip
        errors.pop("__all__", None)  # the overflow pair is checked below, by field
        if self.overflow_queue_id is None and self.overflow_after_s is not None:
            errors.setdefault("overflow_queue", []).append("overflow needs a queue as well as overflow_after_s")
        if self.overflow_queue_id is not None and self.overflow_after_s is None:
            errors.setdefault("overflow_after_s", []).append("overflow needs a number of seconds as well as a queue")
        if self.overflow_queue_id is not None and self.overflow_queue_id == self.pk:
            errors.setdefault("overflow_queue", []).append("a queue cannot overflow into itself")
        if "music_class" not in errors and self.music_class not in music_classes():
            errors["music_class"] = [f"Asterisk has no music class {self.music_class!r}; it has "
                                     f"{', '.join(music_classes())}"]  # fmt: skip
        if self.pk and (message := self._strategy_switch_refused()):
            errors.setdefault("strategy", []).append(message)
        if errors:
            raise ValidationError(errors)

    def _strategy_switch_refused(self) -> str:
        stored = HumanQueue.objects.filter(pk=self.pk).values_list("strategy", flat=True).first()
        if stored is None or stored == self.strategy:
            return ""
        if (stored in ORDERED_STRATEGIES) != (self.strategy in ORDERED_STRATEGIES):
            return (f"Asterisk cannot switch a live queue from {stored} to {self.strategy} (linear and rrordered "
                    "keep their members in an order fixed when the queue is created); make a new queue instead")
        return ""


# An agent's states are pbx.api's words: pbx reports phones' activity in them.
AgentState = text_choices(AgentStateWord)


class PauseReason(models.Model):
    """Why an agent is paused (lunch, training, coaching, ...): the list the admin keeps and the
    console offers; inactive reasons stay on past pauses but are no longer offered."""

    label = models.CharField(max_length=60, unique=True)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower first in the console's list.")

    class Meta:
        ordering = ("order", "label")

    def __str__(self) -> str:
        return self.label


class Agent(models.Model):
    """A human agent; ``name`` is its PJSIP endpoint and queue member name (e.g. ``agent1``).

    Its SIP password is derived, not stored (``pbx.api.telephony.agent_sip_password``), from its
    name, ``sip_password_generation`` and ``sip_password_salt``: rotating makes a new generation
    and salt, and the old password stops registering. A row made under a deleted agent's name
    gets a salt of its own, so the old agent's phone does not register as the new one.
    The Django user who works as this agent is linked by the console's ``AgentProfile``.
    """

    name = models.SlugField(max_length=80, unique=True, validators=[pbx_name])
    display_name = models.CharField(max_length=120, blank=True)
    queues = models.ManyToManyField(HumanQueue, through="QueueMembership", related_name="agents", blank=True)
    state = models.CharField(max_length=16, choices=AgentState.choices, default=AgentState.OFFLINE)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # Set with state "paused" (by the agent from the list, or "forced by <supervisor>"); blank otherwise.
    pause_reason = models.CharField(max_length=80, blank=True)
    transport = models.CharField(max_length=8, choices=literal_choices(PhoneTransport),
                                 default=spec_default(AgentPhone, "transport"),
                                 help_text="udp/tcp: a desk phone or softphone; webrtc: the browser console.")  # fmt: skip
    static_contact = models.CharField(max_length=200, blank=True,
                                      help_text="A SIP URI for a phone that does not register "
                                                "(e.g. sip:agent1@127.0.0.1:5071); blank normally.")  # fmt: skip
    sip_password_generation = models.PositiveIntegerField(default=0, help_text="Rotating the password adds one.")
    # Random per row; blank on agents made before salts (migration 0008), whose phones keep working.
    sip_password_salt = models.CharField(max_length=32, blank=True, editable=False, default=new_sip_password_salt)
    auto_answer = models.BooleanField(default=True,
                                      help_text="When reserved for a call likely to escalate (pre-alert), the phone "
                                                "answers that call at once (Call-Info: answer-after=0): the agent "
                                                "has been following it on the console.")  # fmt: skip

    class Meta:
        db_table = "campaigns_agent"

    def __str__(self) -> str:
        return self.display_name or self.name

    def clean(self) -> None:
        errors = contract_errors(AgentPhone, {"name": self.name, "md5_cred": "0" * 32, "transport": self.transport,
                                              "static_contact": self.static_contact})  # fmt: skip
        errors.pop("name", None)  # the field's own validator says it
        # Both are PJSIP endpoints (Trunk.clean says the same of agents' names).
        if apps.get_model("telephony", "Trunk").objects.filter(name=self.name).exists():
            errors.setdefault("name", []).append("a trunk has this name (both are SIP endpoints)")
        if errors:
            raise ValidationError(errors)


class QueueMembership(models.Model):
    """An agent put in a queue by hand, with a penalty (0 rings first; higher only when lower are busy).

    The table is the one Django made for ``Agent.queues`` before it had a penalty
    (``campaigns_agent_queues``), so memberships made then are kept.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="memberships")
    queue = models.ForeignKey(HumanQueue, on_delete=models.CASCADE, related_name="memberships",
                              db_column="humanqueue_id")  # fmt: skip
    penalty = models.PositiveIntegerField(default=spec_default(QueueMember, "penalty"))

    class Meta:
        db_table = "campaigns_agent_queues"
        unique_together = [("agent", "queue")]

    def __str__(self) -> str:
        return f"{self.agent.name} in {self.queue.name} (penalty {self.penalty})"

    def clean(self) -> None:
        if errors := contract_errors(QueueMember, {"agent": "a", "penalty": self.penalty}):
            raise ValidationError(errors)


# Skill levels, 1 (can) .. 10 (expert); a skill-derived membership's penalty is 10 - level.
SKILL_LEVELS = range(1, 11)


class AgentSkill(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="holders")
    level = models.PositiveSmallIntegerField(default=5, choices=[(n, str(n)) for n in SKILL_LEVELS])

    class Meta:
        unique_together = [("agent", "skill")]

    def __str__(self) -> str:
        return f"{self.agent.name}: {self.skill.name} {self.level}"


class Reservation(models.Model):
    """An agent held for one AI call VoiceWatch says is likely to escalate (pre-alert), from
    ``call.at_risk`` to ``agent.reservation_ended`` (:mod:`contactcenter.people.reservations`).

    While it is open the agent's state is ``reserved``; the rows that ended stay as the record.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="reservations")
    call_id = models.CharField(max_length=64, db_index=True)
    queue = models.CharField(max_length=80)
    # The call.at_risk event that made it: a redelivered event finds it and reserves nobody else.
    at_risk_event_id = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=64, blank=True)
    score = models.FloatField(default=0.0)
    explanation = models.TextField(blank=True)
    lead = models.ForeignKey("campaigns.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reserved_at = models.DateTimeField()
    until = models.DateTimeField(help_text="When pbx lets the agent go if the call has not escalated.")
    ended_at = models.DateTimeField(null=True, blank=True)
    end = models.CharField(max_length=16, blank=True, choices=text_choices(ReservationEnd).choices)

    class Meta:
        ordering = ["-reserved_at", "-id"]
        constraints = [
            # One agent per call at a time, one call per agent at a time.
            models.UniqueConstraint(fields=["call_id"], condition=models.Q(ended_at__isnull=True),
                                    name="one_open_reservation_per_call"),
            models.UniqueConstraint(fields=["agent"], condition=models.Q(ended_at__isnull=True),
                                    name="one_open_reservation_per_agent"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.agent.name} for {self.call_id}" + (f" (ended: {self.end})" if self.ended_at else "")


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
