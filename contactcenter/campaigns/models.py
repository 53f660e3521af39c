"""Campaigns, their leads and every call attempt (agents, queues, do-not-call: ``contactcenter.people``).

Writes go through ``services`` (one transaction each, side effects after commit); the models
only hold data and validate it (``clean``), so the admin, the API and the import agree.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from contactcenter.campaigns import compliance, dial_targets, webhook_rules
from contactcenter.campaigns.flows import CampaignType
from contactcenter.campaigns.pacing import DialMode
from pbx.api import FIELD_DEFAULTS, FLOW_CATALOGUE


def _default_windows() -> list[dict[str, Any]]:
    return [dict(w) for w in compliance.DEFAULT_WINDOWS]


def _default_retry() -> dict[str, int]:
    return dict(compliance.DEFAULT_RETRY_MINUTES)


def _webhook_secret() -> str:
    return secrets.token_hex(24)


# ------------------------------------------------------------------ campaigns


class CampaignStatus(models.TextChoices):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"


class AmdAction(models.TextChoices):
    RETRY = "retry", "Hang up and retry later"
    VOICEMAIL = "voicemail", "Leave the voicemail message"


class Campaign(models.Model):
    name = models.CharField(max_length=120, unique=True)
    type = models.CharField(max_length=32, choices=CampaignType.choices)
    flow = models.CharField(max_length=64, blank=True, help_text="Library flow name; empty: the type's flow.")
    flow_language = models.CharField(max_length=16, default="en-IN")
    policy = models.JSONField(default=dict, blank=True, help_text="VoiceWatch policy (JSON); empty: the default.")
    escalation_queue = models.ForeignKey("people.HumanQueue", on_delete=models.PROTECT, related_name="campaigns",
                                         help_text="Where escalations go (sent to pbx as the call's queue).")  # fmt: skip
    overflow_queues = models.ManyToManyField("people.HumanQueue", blank=True, related_name="overflow_campaigns",
                                             help_text="Other queues the policy may send callers to; their free "
                                                       "agents count for pacing too.")  # fmt: skip
    dial_mode = models.CharField(max_length=16, choices=[(m.value, m.value) for m in DialMode],
                                 default=DialMode.AI_FIRST)  # fmt: skip
    max_concurrent_calls = models.PositiveIntegerField(default=10, help_text="Max AI calls (or calls in flight).")
    calling_windows = models.JSONField(default=_default_windows,
                                       help_text='Lead-local, e.g. [{"days": [0,1,2,3,4,5], "start": "09:00", "end": "21:00"}]')  # fmt: skip
    default_region = models.CharField(max_length=2, default="IN", help_text="For numbers imported without +country.")
    default_time_zone = models.CharField(max_length=64, default="Asia/Kolkata",
                                         help_text="For numbers whose region has no known zone.")  # fmt: skip
    max_attempts_total = models.PositiveIntegerField(default=3)
    max_attempts_per_day = models.PositiveIntegerField(default=2)
    min_gap_minutes = models.PositiveIntegerField(default=30)
    retry_minutes = models.JSONField(default=_default_retry, blank=True,
                                     help_text="Outcome → minutes before the next attempt; others are final.")  # fmt: skip
    # Both checked in clean() (dial_targets): an E.164 number or empty; a configured trunk.
    caller_id = models.CharField(max_length=80, blank=True)
    trunk = models.CharField(max_length=80, default="trunk", help_text="PJSIP endpoint calls go out through.")
    ring_timeout_s = models.PositiveIntegerField(default=30)
    amd_enabled = models.BooleanField("answering-machine detection", default=False)
    amd_action = models.CharField(max_length=16, choices=AmdAction.choices, default=AmdAction.RETRY)
    voicemail_message = models.TextField(blank=True)
    max_abandon_rate = models.FloatField(default=0.03, help_text="Predictive: cap on abandoned/answered.")
    safe_harbour_message = models.CharField(
        max_length=300, default="Sorry we missed you. This was a call from our team; we will call again later.",
        help_text="Played when an answered call must be abandoned (no agent free).",
    )  # fmt: skip
    escalation_rate_prior = models.FloatField(default=0.15, help_text="AI-first: escalation rate assumed before "
                                                                       "calls teach the real one.")  # fmt: skip
    webhook_url = models.URLField(blank=True)
    webhook_secret = models.CharField(max_length=128, default=_webhook_secret)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    pacing = models.JSONField(default=dict, blank=True, editable=False, help_text="The dialer's last decision.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def flow_name(self) -> str:
        return self.flow or self.type

    @property
    def is_ai(self) -> bool:
        return self.dial_mode == DialMode.AI_FIRST

    def windows(self) -> tuple[compliance.CallingWindow, ...]:
        return compliance.parse_windows(self.calling_windows)

    def attempt_rules(self) -> compliance.AttemptRules:
        return compliance.AttemptRules.from_data(self.max_attempts_total, self.max_attempts_per_day,
                                                 self.min_gap_minutes, self.retry_minutes or {})  # fmt: skip

    def queue_names(self) -> list[str]:
        names = [self.escalation_queue.name]
        if self.pk:
            names += [q.name for q in self.overflow_queues.all() if q.name not in names]
        return names

    def clean(self) -> None:
        errors: dict[str, str] = {}
        flow = self.flow_name
        if flow not in FLOW_CATALOGUE:
            errors["flow"] = f"unknown flow {flow!r}; library flows: {', '.join(sorted(FLOW_CATALOGUE))}"
        elif self.flow_language not in FLOW_CATALOGUE[flow].languages:
            errors["flow_language"] = f"{flow} exists in {', '.join(FLOW_CATALOGUE[flow].languages)}"
        for name, check in (("calling_windows", compliance.parse_windows),
                            ("retry_minutes", compliance.parse_retry_rules),
                            ("default_time_zone", compliance.check_time_zone),
                            ("trunk", dial_targets.check_trunk),
                            ("caller_id", dial_targets.check_caller_id),
                            ("webhook_url", webhook_rules.check_webhook_url)):  # fmt: skip
            try:
                check(getattr(self, name))
            except ValueError as exc:
                errors[name] = str(exc)
        if self.policy:
            from voicewatch import Policy, VoiceWatchValidationError

            try:
                Policy.coerce(self.policy)
            except (VoiceWatchValidationError, ValueError) as exc:
                errors["policy"] = str(exc)
        if not 0 <= self.max_abandon_rate <= 0.5:
            errors["max_abandon_rate"] = "give a fraction between 0 and 0.5 (0.03 = 3%)"
        if not 0 < self.escalation_rate_prior <= 1:
            errors["escalation_rate_prior"] = "give a fraction above 0 and at most 1"
        if self.max_attempts_per_day > self.max_attempts_total:
            errors["max_attempts_per_day"] = "cannot be more than max_attempts_total"
        if self.amd_enabled and self.amd_action == AmdAction.VOICEMAIL and not self.voicemail_message.strip():
            errors["voicemail_message"] = "needed when answering machines get a voicemail message"
        if errors:
            raise ValidationError(errors)


class ContactList(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contact_lists")
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="uniq_contact_list_name")]

    def __str__(self) -> str:
        return f"{self.campaign} / {self.name}"


class LeadStatus(models.TextChoices):
    PENDING = "pending"  # waiting for its (next) attempt
    DIALING = "dialing"  # an attempt is in progress
    DONE = "done"  # finished with an outcome
    BLOCKED = "blocked"  # finished without a call: do-not-call, invalid number


class Lead(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="leads")
    contact_list = models.ForeignKey(ContactList, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +919800000001")
    time_zones = models.JSONField(default=list, help_text="IANA zones; a window must be open in each.")
    first_name = models.CharField(max_length=80, blank=True)
    external_id = models.CharField(max_length=80, blank=True)
    fields = models.JSONField(default=dict, blank=True, help_text="Values the flow's prompts use (order_id, …).")
    status = models.CharField(max_length=16, choices=LeadStatus.choices, default=LeadStatus.PENDING)
    outcome = models.CharField(max_length=32, blank=True)
    outcome_detail = models.CharField(max_length=300, blank=True)
    disposition = models.ForeignKey("Disposition", on_delete=models.PROTECT, null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    not_before_reason = models.CharField(max_length=32, blank=True, help_text="Why the dialer is waiting.")
    completed_at = models.DateTimeField(null=True, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "phone"], name="uniq_lead_phone_per_campaign")]
        indexes = [models.Index(fields=["campaign", "status", "next_attempt_at"], name="lead_due_idx")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.first_name or 'lead'} {self.phone}"

    def clean(self) -> None:
        if not compliance.is_valid_e164(self.phone):
            raise ValidationError({"phone": "not a valid E.164 number (e.g. +919800000001)"})

    def flow_fields(self) -> dict[str, str]:

        values = {**FIELD_DEFAULTS, **{k: str(v) for k, v in (self.fields or {}).items()}}
        if self.first_name:
            values["first_name"] = self.first_name
        return values


class AttemptStatus(models.TextChoices):
    QUEUED = "queued"  # recorded; the command is (being) sent to pbx
    DIALING = "dialing"  # pbx started the call
    WITH_BOT = "with_bot"  # answered, the bot is talking
    WAITING_AGENT = "waiting_agent"  # escalated / queued for a human
    WITH_AGENT = "with_agent"
    ENDED = "ended"


LIVE_ATTEMPT_STATUSES = (AttemptStatus.QUEUED, AttemptStatus.DIALING, AttemptStatus.WITH_BOT,
                         AttemptStatus.WAITING_AGENT, AttemptStatus.WITH_AGENT)  # fmt: skip


class CallAttempt(models.Model):
    """One call to a lead; ``call_id`` is the call's id in pbx's events and the ledger."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="attempts")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="call_attempts")
    number = models.PositiveIntegerField(help_text="1 for the lead's first attempt, …")
    call_id = models.CharField(max_length=64, unique=True)
    command_id = models.CharField(max_length=64, unique=True)
    dial_mode = models.CharField(max_length=16)
    endpoint = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.QUEUED)
    command_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_queue = models.CharField(max_length=80, blank=True)
    escalation_reason = models.CharField(max_length=64, blank=True)
    agent_connected_at = models.DateTimeField(null=True, blank=True)
    agent = models.CharField(max_length=80, blank=True)
    abandoned = models.BooleanField(default=False, help_text="Answered, but no human took it in time.")
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, blank=True)
    cause = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    disposition = models.ForeignKey("Disposition", on_delete=models.PROTECT, null=True, blank=True)
    disposition_note = models.CharField(max_length=300, blank=True)
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "number"], name="uniq_attempt_number"),
            # At most one live call per lead, whatever happens concurrently.
            models.UniqueConstraint(fields=["lead"], condition=~Q(status="ended"), name="one_live_attempt_per_lead"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="attempt_live_idx")]

    def __str__(self) -> str:
        return f"{self.lead} #{self.number}"


class Disposition(models.Model):
    """What the human agent recorded after an escalated call."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    final = models.BooleanField(default=True, help_text="Finishes the lead; otherwise it is called again.")
    retry_after_minutes = models.PositiveIntegerField(default=60, help_text="When not final.")

    def __str__(self) -> str:
        return self.label


class ImportBatch(models.Model):
    """One uploaded file; ``problems`` is the row-by-row report of what was not imported."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    contact_list = models.ForeignKey(ContactList, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    mapping = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    dnc = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    encoding = models.CharField(max_length=40, blank=True, help_text="As detected (or named), or xlsx.")
    problems = models.JSONField(default=list, help_text="[{row, status, field, value, reason}]; the first 1000 "
                                                        "by row (the counts above are of all)")  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "import batches"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported}/{self.rows})"


class WebhookStatus(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"  # handed to a worker (task_id); next_try_at is when to stop waiting for it
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry


class WebhookDelivery(models.Model):
    """A completed lead's result, posted to the campaign's webhook until it is acknowledged."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="webhooks")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="webhooks")
    event_id = models.CharField(max_length=64, unique=True)
    url = models.URLField()
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=WebhookStatus.choices, default=WebhookStatus.PENDING)
    tries = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField()
    last_status_code = models.IntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The worker's task while sending.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_try_at"], name="webhook_due_idx")]
        ordering = ["id"]
