"""pbx events → call attempts, lead outcomes, agent states. Safe to repeat, safe out of order.

:func:`apply_event` takes a typed event from ``pbx.api`` and changes the database in one
transaction; replaying it changes nothing (each step only moves an attempt forward, and
``call.ended`` is applied once). :class:`EventConsumer` reads pbx's event stream through
its own consumer group and acknowledges an entry only after its transaction committed, so
a crash re-delivers instead of losing an outcome.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction

from contactcenter.campaigns import agents, compliance, services
from contactcenter.campaigns.models import (
    AttemptStatus,
    CallAttempt,
    DncSource,
    DoNotCall,
    Lead,
    LeadStatus,
)
from pbx.api import (
    EVENTS_STREAM,
    CallAnswered,
    CallEnded,
    CallEscalated,
    CallStarted,
    CommandRejected,
    Event,
    QueueEvent,
    SchemaError,
    parse_event,
)

log = logging.getLogger(__name__)

CONSUMER_GROUP = "campaigns"

_ORDER = {s: i for i, s in enumerate([AttemptStatus.QUEUED, AttemptStatus.DIALING, AttemptStatus.WITH_BOT,
                                      AttemptStatus.WAITING_AGENT, AttemptStatus.WITH_AGENT, AttemptStatus.ENDED])}  # fmt: skip

# What the progress events above may change (an UPDATE of these, not of every column).
_PROGRESS_FIELDS = ["status", "started_at", "answered_at", "escalated_at", "escalation_queue", "escalation_reason",
                    "agent", "agent_connected_at", "abandoned"]  # fmt: skip

# Queue events that mean a caller waiting for a human gave up or was given up on.
_ABANDON_EVENTS = {"QueueCallerAbandon", "QueueReturned"}


def _at(event: Event) -> dt.datetime:
    return dt.datetime.fromtimestamp(event.at, tz=dt.UTC)


def _advance(attempt: CallAttempt, status: str) -> bool:
    if _ORDER[AttemptStatus(attempt.status)] >= _ORDER[AttemptStatus(status)]:
        return False
    attempt.status = status
    return True


def apply_event(event: Event) -> str:
    """Apply one pbx event; returns a word saying what it did (for logs and tests)."""
    if isinstance(event, QueueEvent) and event.member:
        agents.apply_queue_event(event.name, event.member, _at(event))
    if isinstance(event, CommandRejected):
        return _rejected(event)
    if not event.call_id:
        return "ignored"
    # No savepoint inside the consumer's transaction for a read: a failure rolls the read back whole.
    with transaction.atomic(savepoint=False):
        attempt = CallAttempt.objects.select_for_update().filter(call_id=event.call_id).first()
        if attempt is None:
            return "not_ours"
        if attempt.status == AttemptStatus.ENDED:
            return "already_ended"
        at = _at(event)
        if isinstance(event, CallStarted):
            attempt.started_at = attempt.started_at or at
            _advance(attempt, AttemptStatus.DIALING)
        elif isinstance(event, CallAnswered):
            attempt.answered_at = attempt.answered_at or at
            _advance(attempt, AttemptStatus.WITH_BOT)
        elif isinstance(event, CallEscalated):
            attempt.answered_at = attempt.answered_at or at
            attempt.escalated_at = attempt.escalated_at or at
            attempt.escalation_queue = event.queue
            attempt.escalation_reason = event.reason
            _advance(attempt, AttemptStatus.WAITING_AGENT)
        elif isinstance(event, QueueEvent):
            if event.name == "AgentConnect":
                attempt.agent = event.member.rsplit("/", 1)[-1]
                attempt.agent_connected_at = attempt.agent_connected_at or at
                _advance(attempt, AttemptStatus.WITH_AGENT)
            elif event.name in _ABANDON_EVENTS and attempt.agent_connected_at is None:
                attempt.abandoned = True
                if event.name == "QueueReturned":  # back with the bot, which offers a callback
                    attempt.status = AttemptStatus.WITH_BOT
        elif isinstance(event, CallEnded):
            _ended(attempt, event, at)
            return "ended"
        else:
            return "ignored"
        attempt.save(update_fields=_PROGRESS_FIELDS)
        return "updated"


def _ended(attempt: CallAttempt, event: CallEnded, at: dt.datetime) -> None:
    attempt.status = AttemptStatus.ENDED
    attempt.ended_at = at
    attempt.outcome = event.outcome
    attempt.cause = event.cause[:64]
    attempt.detail = event.detail[:300]
    if event.outcome == "abandoned" and attempt.escalated_at and not attempt.agent_connected_at:
        attempt.abandoned = True
    attempt.save()
    lead = Lead.objects.select_for_update().select_related("campaign").get(pk=attempt.lead_id)
    _settle_lead(lead, attempt, event.outcome, event.detail, at)


def _settle_lead(lead: Lead, attempt: CallAttempt, outcome: str, detail: str, at: dt.datetime) -> None:
    campaign = lead.campaign
    if outcome in ("opt_out", "do_not_call"):
        # Said during the call ("don't call me again", "call mat karna"): no campaign calls again.
        DoNotCall.objects.get_or_create(phone=lead.phone, defaults={
            "source": DncSource.OPT_OUT, "reason": f"{outcome} during call", "campaign": campaign,
            "call_id": attempt.call_id})  # fmt: skip
    if lead.status != LeadStatus.DIALING:
        return  # settled already (e.g. an admin closed it meanwhile)
    next_step = compliance.after_attempt(outcome, lead.attempts, campaign.attempt_rules(), at)
    if next_step.final:
        services.complete_lead(lead, outcome, detail, at)
    else:
        services.schedule_retry(lead, outcome, detail, next_step.next_attempt_at or at)


def _rejected(event: CommandRejected) -> str:
    """pbx refused the command (malformed): the lead is finished as ``failed``, not retried
    into the same refusal forever."""
    with transaction.atomic():
        query = CallAttempt.objects.select_for_update()
        attempt = (query.filter(command_id=event.command_id).first() if event.command_id else None) or (
            query.filter(call_id=event.call_id).first() if event.call_id else None
        )
        if attempt is None or attempt.status == AttemptStatus.ENDED:
            return "not_ours"
        at = _at(event)
        attempt.status = AttemptStatus.ENDED
        attempt.ended_at = at
        attempt.outcome = "failed"
        attempt.cause = "command_rejected"
        attempt.detail = event.error[:300]
        attempt.save()
        lead = Lead.objects.select_for_update().select_related("campaign").get(pk=attempt.lead_id)
        if lead.status == LeadStatus.DIALING:
            services.complete_lead(lead, "failed", f"pbx rejected the call: {event.error}", at)
    return "rejected"


class EventConsumer:
    """Reads ``cc:pbx:events`` through the consumer group ``campaigns`` (sync redis client)."""

    def __init__(self, redis, consumer: str = "dialer-1", stream: str = EVENTS_STREAM,
                 group: str = CONSUMER_GROUP, apply: Callable[[Event], str] = apply_event) -> None:  # fmt: skip
        self._redis = redis
        self._consumer = consumer
        self._stream = stream
        self._group = group
        self._apply = apply
        self._pending_first = True
        self.applied = 0

    def ensure_group(self) -> None:
        from redis.exceptions import ResponseError

        try:
            # From the start of the stream: events of our calls sent before the dialer first ran count too.
            self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def poll(self, block_ms: int | None = 500, count: int = 100) -> int:
        """Apply what arrived (first, what was delivered before a crash and never acknowledged)."""
        start = "0" if self._pending_first else ">"
        reply = self._redis.xreadgroup(self._group, self._consumer, {self._stream: start}, count=count,
                                       block=None if self._pending_first else block_ms)  # fmt: skip
        entries = reply[0][1] if reply else []
        if self._pending_first and not entries:
            self._pending_first = False
        done = 0
        # One transaction and one acknowledgement for what one read brought (a burst of calls
        # starting is a few hundred events): if any event fails, none is acknowledged and the
        # read is delivered again, which changes nothing for the events already applied.
        with transaction.atomic():
            for entry_id, fields in entries:
                try:
                    event = parse_event(fields)
                except SchemaError as exc:
                    log.warning("skipping event %s: %s", entry_id, exc)
                else:
                    self._apply(event)  # raises → not acknowledged, delivered again
                    done += 1
        if entries:
            self._redis.xack(self._stream, self._group, *(entry_id for entry_id, _ in entries))
        self.applied += done
        return done
