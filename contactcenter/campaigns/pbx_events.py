"""pbx events → call attempts, lead outcomes, agent states. Safe to repeat, safe out of order.

:func:`apply_event` takes a typed event from ``pbx.api`` and changes the database in one
transaction; replaying it changes nothing (each step only moves an attempt forward, and
``call.ended`` is applied once). :class:`EventConsumer` reads pbx's event stream through
its own consumer group and acknowledges an entry only after its transaction committed, so
a crash re-delivers instead of losing an outcome. Pre-alert's events (an agent reserved for a
call at risk, the banner on their console) go to :mod:`contactcenter.console.prealert`, which
sends pbx its ``reserve_agent`` through ``link`` after the commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence

from django.db import transaction

from contactcenter.campaigns import compliance, inbound_callbacks, services
from contactcenter.campaigns.bulk import update_rows
from contactcenter.campaigns.models import (
    AttemptStatus,
    CallAttempt,
    Lead,
    LeadStatus,
)
from contactcenter.campaigns.pbx_link import RedisPbxLink
from contactcenter.console import prealert
from contactcenter.people import agents
from contactcenter.people.models import DncSource, DoNotCall
from pbx.api import (
    EVENTS_STREAM,
    AgentConnected,
    AgentStateChanged,
    CallAnswered,
    CallbackRequested,
    CallEnded,
    CallEscalated,
    CallOutcome,
    CallStarted,
    CommandRejected,
    Event,
    QueueAbandoned,
    ReturnedToBot,
    SchemaError,
    parse_event,
)

log = logging.getLogger(__name__)

CONSUMER_GROUP = "campaigns"

# How long `manage.py dialer` lets pbx's events gather before applying them (EventConsumer.poll);
# ``python -m benchmarks dialer`` runs the consumer with it: measure there before changing it.
EVENT_LINGER_MS = 50

_ORDER = {s: i for i, s in enumerate([AttemptStatus.QUEUED, AttemptStatus.DIALING, AttemptStatus.WITH_BOT,
                                      AttemptStatus.WAITING_AGENT, AttemptStatus.WITH_AGENT, AttemptStatus.ENDED])}  # fmt: skip

# What the progress events above may change (an UPDATE of these, not of every column).
_PROGRESS_FIELDS = ["status", "started_at", "answered_at", "escalated_at", "escalation_queue", "escalation_reason",
                    "agent", "agent_connected_at", "abandoned"]  # fmt: skip

# Events that change only their call's attempt (no lead, agent or other row): applied in runs,
# one UPDATE statement a run (bulk.update_rows; the figures: ``python -m benchmarks dialer``).
_BATCHED = (CallStarted, CallAnswered, CallEscalated)


def _at(event: Event) -> dt.datetime:
    return dt.datetime.fromtimestamp(event.at, tz=dt.UTC)


def _advance(attempt: CallAttempt, status: str) -> bool:
    if _ORDER[AttemptStatus(attempt.status)] >= _ORDER[AttemptStatus(status)]:
        return False
    attempt.status = status
    return True


def apply_event(event: Event, link: prealert.CommandSender | None = None) -> str:
    """Apply one pbx event; returns a word saying what it did (for logs and tests).

    ``link``: where pre-alert's ``reserve_agent`` goes (None: no agent is reserved)."""
    if (done := prealert.apply(event, link)) is not None:
        return done
    if isinstance(event, CallEnded):
        prealert.on_call_ended(event)  # the agent reserved for it (if pbx did not say so first)
    if isinstance(event, AgentStateChanged):
        return "agent_changed" if agents.apply_phone_state(event, _at(event)) else "ignored"
    if isinstance(event, CommandRejected):
        return _rejected(event)
    if isinstance(event, CallbackRequested):
        return inbound_callbacks.request_callback(event)
    if not event.call_id:
        return "ignored"
    # No savepoint inside the consumer's transaction for a read: a failure rolls the read back whole.
    with transaction.atomic(savepoint=False):
        attempt = CallAttempt.objects.select_for_update().filter(call_id=event.call_id).first()
        if attempt is None:
            return "not_ours"
        if attempt.status == AttemptStatus.ENDED:
            return "already_ended"
        if isinstance(event, CallEnded):
            _ended(attempt, event, _at(event))
            return "ended"
        if not _progress(attempt, event):
            return "ignored"
        attempt.save(update_fields=_PROGRESS_FIELDS)
        return "updated"


def apply_events(events: Sequence[Event], link: prealert.CommandSender | None = None) -> list[str]:
    """Apply a read's events in their order, as :func:`apply_event` would one by one.

    A burst of calls starting is hundreds of ``call.started``/``call.answered`` in a row:
    such a run is applied with one SELECT of its attempts and one batched UPDATE, instead
    of a query and an UPDATE per event (the ORM's work per query is most of the cost)."""
    results: list[str] = []
    run: list[Event] = []
    for event in events:
        if isinstance(event, _BATCHED) and event.call_id:
            run.append(event)
            continue
        results += _apply_run(run)
        run = []
        results.append(apply_event(event, link))
    results += _apply_run(run)
    return results


def _apply_run(run: list[Event]) -> list[str]:
    if not run:
        return []
    with transaction.atomic(savepoint=False):
        # Locked in primary-key order, as the dialer locks leads (no deadlock on PostgreSQL).
        found = (CallAttempt.objects.select_for_update().filter(call_id__in={e.call_id for e in run})
                 .only("pk", "call_id", *_PROGRESS_FIELDS).order_by("pk"))  # fmt: skip
        attempts = {attempt.call_id: attempt for attempt in found}
        results: list[str] = []
        changed: dict[int, CallAttempt] = {}
        for event in run:
            attempt = attempts.get(event.call_id or "")
            if attempt is None:
                results.append("not_ours")
            elif attempt.status == AttemptStatus.ENDED:
                results.append("already_ended")
            elif _progress(attempt, event):
                changed[attempt.pk] = attempt
                results.append("updated")
            else:
                results.append("ignored")
        update_rows(CallAttempt, list(changed.values()), _PROGRESS_FIELDS)
    return results


def _progress(attempt: CallAttempt, event: Event) -> bool:
    """Move ``attempt`` forward in memory by a progress event; False if the event is not one."""
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
    elif isinstance(event, AgentConnected):
        attempt.agent = event.agent
        attempt.agent_connected_at = attempt.agent_connected_at or at
        _advance(attempt, AttemptStatus.WITH_AGENT)
    elif isinstance(event, QueueAbandoned | ReturnedToBot):
        # The caller gave up waiting for a human, or was given up on after the queue's maximum wait.
        if attempt.agent_connected_at is None:
            attempt.abandoned = True
            if isinstance(event, ReturnedToBot):  # back with the bot, which offers a callback
                attempt.status = AttemptStatus.WITH_BOT
    else:
        return False
    return True


def _ended(attempt: CallAttempt, event: CallEnded, at: dt.datetime) -> None:
    attempt.status = AttemptStatus.ENDED
    attempt.ended_at = at
    attempt.outcome = event.outcome
    attempt.cause = event.cause[:64]
    attempt.detail = event.detail[:300]
    if event.outcome == CallOutcome.ABANDONED and attempt.escalated_at and not attempt.agent_connected_at:
        attempt.abandoned = True
    attempt.save()
    lead = Lead.objects.select_for_update().select_related("campaign").get(pk=attempt.lead_id)
    _settle_lead(lead, attempt, event.outcome, event.detail, at)


def _settle_lead(lead: Lead, attempt: CallAttempt, outcome: str, detail: str, at: dt.datetime) -> None:
    campaign = lead.campaign
    if outcome in (CallOutcome.OPT_OUT, CallOutcome.DO_NOT_CALL):
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
        attempt.outcome = CallOutcome.FAILED
        attempt.cause = "command_rejected"
        attempt.detail = event.error[:300]
        attempt.save()
        lead = Lead.objects.select_for_update().select_related("campaign").get(pk=attempt.lead_id)
        if lead.status == LeadStatus.DIALING:
            services.complete_lead(lead, CallOutcome.FAILED, f"pbx rejected the call: {event.error}", at)
    return "rejected"


class EventConsumer:
    """Reads ``cc:pbx:events`` through the consumer group ``campaigns`` (sync redis client); the
    commands these events call for (pre-alert's ``reserve_agent``) go back to pbx through the
    same Redis (``RedisPbxLink``)."""

    def __init__(self, redis, consumer: str = "dialer-1", stream: str = EVENTS_STREAM,
                 group: str = CONSUMER_GROUP,
                 apply: Callable[[Sequence[Event]], object] | None = None) -> None:  # fmt: skip
        self._redis = redis
        self._consumer = consumer
        self._stream = stream
        self._group = group
        link = RedisPbxLink(redis)
        self._apply = apply or (lambda events: apply_events(events, link))
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

    def poll(self, block_ms: int | None = 500, count: int = 100, linger_ms: int = 0) -> int:
        """Apply what arrived (first, what was delivered before a crash and never acknowledged).

        ``linger_ms``: once something arrived, wait that long for more before applying it. A
        burst of calls brings its events over a few hundred milliseconds; each read costs a
        transaction and the ORM's fixed work, so a dialer sharing its cores with Asterisk and
        pbx takes the burst in a few reads instead of dozens (the dialer paces on a one-second
        tick: tens of milliseconds later changes nothing)."""
        start = "0" if self._pending_first else ">"
        reply = self._redis.xreadgroup(self._group, self._consumer, {self._stream: start}, count=count,
                                       block=None if self._pending_first else block_ms)  # fmt: skip
        entries = list(reply[0][1]) if reply else []
        if self._pending_first and not entries:
            self._pending_first = False
        elif not self._pending_first and linger_ms > 0 and 0 < len(entries) < count:
            time.sleep(linger_ms / 1000)
            more = self._redis.xreadgroup(self._group, self._consumer, {self._stream: ">"},
                                          count=count - len(entries))  # fmt: skip
            entries += more[0][1] if more else []
        events: list[Event] = []
        for entry_id, fields in entries:
            try:
                events.append(parse_event(fields))
            except SchemaError as exc:
                log.warning("skipping event %s: %s", entry_id, exc)
        # One transaction and one acknowledgement for what one read brought (a burst of calls
        # starting is a few hundred events): if any event fails, none is acknowledged and the
        # read is delivered again, which changes nothing for the events already applied.
        if events:
            with transaction.atomic():
                self._apply(events)  # raises → not acknowledged, delivered again
        done = len(events)
        if entries:
            self._redis.xack(self._stream, self._group, *(entry_id for entry_id, _ in entries))
        self.applied += done
        return done
