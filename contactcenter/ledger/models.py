"""Unmanaged models over the ``ledger_*`` tables.

pbx is the single writer and Alembic owns the schema (pbx/ledger/schema.py); Django only
reads. ``managed = False`` keeps Django's migrations from creating or altering the tables,
and a test checks that every column here exists there with the same nullability.
Foreign keys carry ``db_constraint=False`` and DO_NOTHING: the database already has the
constraints Alembic made, and Django must never cascade anything itself.
"""

from django.db import models

from contactcenter.ledger.choices import (
    DirectionChoices,
    LegKindChoices,
    OutcomeChoices,
    SpeakerChoices,
    SupervisorActionChoices,
    TransferResultChoices,
)


class Call(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    provisional = models.BooleanField(help_text="Only out-of-order events have named this call so far.")
    direction = models.CharField(max_length=16, choices=DirectionChoices.choices, null=True)
    campaign_id = models.BigIntegerField(null=True)
    lead_id = models.BigIntegerField(null=True)
    flow_name = models.CharField(max_length=100, null=True)
    policy_version = models.CharField(max_length=64, null=True)
    caller_number = models.CharField(max_length=32, null=True)
    called_number = models.CharField(max_length=32, null=True)
    started_at = models.DateTimeField(null=True)
    answered_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    outcome = models.CharField(max_length=32, choices=OutcomeChoices.choices, null=True)
    hangup_cause = models.CharField(max_length=128, null=True)
    hangup_cause_code = models.IntegerField(null=True)
    escalated = models.BooleanField()
    final_queue = models.CharField(max_length=80, null=True)
    agent = models.CharField(max_length=80, null=True)
    event_seq = models.IntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "ledger_calls"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.id

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return round((self.ended_at - self.started_at).total_seconds(), 1)


def _call_fk(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        Call, on_delete=models.DO_NOTHING, db_constraint=False, related_name=related_name, db_column="call_id"
    )


class Leg(models.Model):
    id = models.BigAutoField(primary_key=True)
    call = _call_fk("legs")
    channel_id = models.CharField(max_length=128, unique=True)
    kind = models.CharField(max_length=16, choices=LegKindChoices.choices, null=True)
    endpoint = models.CharField(max_length=255, null=True)
    started_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    cause = models.CharField(max_length=128, null=True)
    cause_code = models.IntegerField(null=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "ledger_legs"
        ordering = ["call", "started_at", "id"]

    def __str__(self) -> str:
        return self.channel_id


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    call = _call_fk("events")
    seq = models.IntegerField()
    type = models.CharField(max_length=64)
    at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    dedup_key = models.CharField(max_length=128, null=True)
    payload = models.JSONField()

    class Meta:
        managed = False
        db_table = "ledger_events"
        ordering = ["call", "seq"]

    def __str__(self) -> str:
        return f"{self.call_id} #{self.seq} {self.type}"


class Utterance(models.Model):
    id = models.BigAutoField(primary_key=True)
    call = _call_fk("utterances")
    utterance_id = models.CharField(max_length=64)
    turn_index = models.IntegerField(null=True)
    speaker = models.CharField(max_length=16, choices=SpeakerChoices.choices)
    text = models.TextField()
    is_partial = models.BooleanField()
    asr_confidence = models.FloatField(null=True)
    asr_engine = models.CharField(max_length=32, null=True)
    words = models.JSONField(null=True)
    start_ms = models.IntegerField(null=True)
    end_ms = models.IntegerField(null=True)
    sentiment = models.FloatField(null=True)
    prosody = models.JSONField(null=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "ledger_utterances"
        ordering = ["call", "start_ms", "id"]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.text[:60]}"


class Decision(models.Model):
    id = models.BigAutoField(primary_key=True)
    call = _call_fk("decisions")
    decision_id = models.CharField(max_length=64)
    turn_index = models.IntegerField()
    utterance_id = models.CharField(max_length=64, null=True)
    on_partial = models.BooleanField()
    escalate = models.BooleanField()
    reason = models.CharField(max_length=255)
    score = models.FloatField()
    queue = models.CharField(max_length=80, null=True)
    signals = models.JSONField()
    policy_version = models.CharField(max_length=64, null=True)
    at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "ledger_decisions"
        ordering = ["call", "at", "id"]

    def __str__(self) -> str:
        return f"{'escalate' if self.escalate else 'stay'} ({self.reason}, {self.score:.2f})"


class Transfer(models.Model):
    id = models.BigAutoField(primary_key=True)
    call = _call_fk("transfers")
    transfer_id = models.CharField(max_length=64)
    decision_id = models.CharField(max_length=64, null=True)
    queue = models.CharField(max_length=80, null=True)
    reason = models.CharField(max_length=255, null=True)
    score = models.FloatField(null=True)
    requested_at = models.DateTimeField(null=True)
    left_stasis_at = models.DateTimeField(null=True)
    queue_joined_at = models.DateTimeField(null=True)
    agent_connected_at = models.DateTimeField(null=True)
    agent = models.CharField(max_length=80, null=True)
    result = models.CharField(max_length=16, choices=TransferResultChoices.choices, null=True)
    result_at = models.DateTimeField(null=True)
    decision_to_queue_ms = models.IntegerField(null=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "ledger_transfers"
        ordering = ["call", "id"]

    def __str__(self) -> str:
        return f"{self.call_id} -> {self.queue}"


class Recording(models.Model):
    id = models.BigAutoField(primary_key=True)
    call = _call_fk("recordings")
    name = models.CharField(max_length=128)
    target = models.CharField(max_length=128, null=True)
    format = models.CharField(max_length=16)
    path = models.TextField(null=True)
    started_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    duration_ms = models.IntegerField(null=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "ledger_recordings"
        ordering = ["call", "id"]

    def __str__(self) -> str:
        return self.name


class SupervisorAction(models.Model):
    """Who listened to, whispered on, barged into or took over a call, or paused or logged out an
    agent, and whether pbx carried it out. ``call_id`` is a plain column: a refused action may
    name a call the ledger never had."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()
    action = models.CharField(max_length=16, choices=SupervisorActionChoices.choices)
    supervisor = models.CharField(max_length=150)
    call_id = models.CharField(max_length=64, null=True)
    agent = models.CharField(max_length=80, null=True)
    phone = models.CharField(max_length=80, null=True)
    ok = models.BooleanField()
    detail = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "ledger_supervisor_actions"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.supervisor}: {self.action} {self.call_id or self.agent or ''}".strip()
