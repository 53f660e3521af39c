"""What a report is computed from, read from the database: the ledger's events of the calls
started in the range (replayed through the wallboard's fold, so both compute the same way),
the agents' state history, and the queues' service levels.

The only I/O of the reports; :mod:`contactcenter.reports.figures` does the arithmetic.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Max
from pydantic import TypeAdapter, ValidationError

from contactcenter.ledger.models import Event as LedgerEvent
from contactcenter.people.models import HumanQueue
from contactcenter.reports.figures import Rules, Window, records_from
from contactcenter.reports.models import AgentStateChange
from contactcenter.reports.timeline import StateChange
from contactcenter.wallboard.board import CallRecord
from pbx.api import (
    AgentConnected,
    AgentStateChanged,
    CallAnswered,
    CallEnded,
    CallEscalated,
    CallLeftQueue,
    CallQueued,
    CallStarted,
    Event,
    QueueAbandoned,
    ReturnedToBot,
)

log = logging.getLogger(__name__)

# The events the figures are made of; utterances and decisions (most of a call's rows) are not read.
FOLDED = (CallStarted, CallAnswered, CallEscalated, CallQueued, AgentConnected, QueueAbandoned, CallLeftQueue,
          ReturnedToBot, AgentStateChanged, CallEnded)  # fmt: skip
FOLDED_TYPES = tuple(kind.model_fields["type"].default for kind in FOLDED)
# How long after the range an agent's wrap-up is still looked for (a call at 23:59 wraps up after midnight).
WRAP_UP_SLACK_S = 3600.0

_events: TypeAdapter[Event] = TypeAdapter(Event)


def _utc(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, tz=dt.UTC)


def ledger_events(window: Window) -> Iterator[Event]:
    """The folded events of every call that started in the window, call by call in ledger order."""
    started = {"call__started_at__gte": _utc(window.start), "call__started_at__lt": _utc(window.end)}
    rows = (LedgerEvent.objects.filter(**started, type__in=FOLDED_TYPES)
            .order_by("call_id", "seq").values_list("call_id", "payload"))  # fmt: skip
    for call_id, payload in rows.iterator(chunk_size=2000):
        try:
            yield _events.validate_python({**payload, "call_id": call_id})
        except ValidationError as exc:  # a row of an older or newer pbx: the report goes on without it
            log.warning("reports: ledger event of call %s is unreadable (%s)", call_id, exc.error_count())


def call_records(window: Window) -> list[CallRecord]:
    return records_from(ledger_events(window))


def state_changes(window: Window) -> list[StateChange]:
    """Agents' changes in the window and a while after it, and each agent's last one before it."""
    start, end = _utc(window.start), _utc(window.end + WRAP_UP_SLACK_S)
    last_before = (AgentStateChange.objects.filter(at__lt=start).values("agent")
                   .annotate(last=Max("at")).values_list("agent", "last"))  # fmt: skip
    rows = list(AgentStateChange.objects.filter(at__gte=start, at__lt=end))
    for agent, last in last_before:
        rows += AgentStateChange.objects.filter(agent=agent, at=last)[:1]
    return [StateChange(r.at.timestamp(), r.agent, r.state, r.reason) for r in rows]


def rules() -> Rules:
    """Each queue's own service level (HumanQueue.service_level_s; a queue gone since: the wallboard's);
    short abandons from settings."""
    levels = dict(HumanQueue.objects.values_list("name", "service_level_s"))
    return Rules(service_level_s=float(getattr(settings, "WALLBOARD_SERVICE_LEVEL_S", 20)),
                 short_abandon_s=float(settings.CC_SHORT_ABANDON_S),
                 queue_service_level_s={name: float(s) for name, s in levels.items()})  # fmt: skip
