"""The last safety net for attempts pbx never ended: no lead stays ``dialing`` forever.

pbx ends every call it holds, including those Asterisk lost in a restart (``pbx.calls.reconcile``).
What it cannot end is a call it forgot: pbx killed and its state gone, a ``call.ended`` lost
with the stream. An attempt that has not moved for far longer than any real call is ended here
with the ``call.ended`` pbx would have sent, through the same code (so a late real one changes
nothing): never answered → ``failed`` (the retry rules call again), answered → ``dropped``
(the customer was reached: finished, not re-dialled).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.db.models.functions import Coalesce

from contactcenter.campaigns.models import AttemptStatus, CallAttempt
from contactcenter.campaigns.pbx_events import apply_event
from pbx.api import CallEnded, CallOutcome

log = logging.getLogger(__name__)

STALE_CAUSE = "dialer_timeout"

# How long an attempt may sit in a state without news from pbx. Generous: pbx keeps a queued
# command while Asterisk is down, a ring lasts at most OriginateCall.timeout_s (120 s), and
# an answered call can last long with an agent.
NOT_STARTED_FOR = dt.timedelta(hours=1)  # queued: the command not yet taken by pbx
RINGING_FOR = dt.timedelta(minutes=15)  # dialing: started, never answered
ANSWERED_FOR = dt.timedelta(hours=4)  # with the bot, waiting for or with an agent

_ANSWERED = (AttemptStatus.WITH_BOT, AttemptStatus.WAITING_AGENT, AttemptStatus.WITH_AGENT)


def stale_attempts(now: dt.datetime) -> list[CallAttempt]:
    # Each state from when the attempt entered it (a command may wait for pbx before it rings).
    return list(CallAttempt.objects.annotate(ringing_since=Coalesce("started_at", "created_at")).filter(
        Q(status=AttemptStatus.QUEUED, created_at__lt=now - NOT_STARTED_FOR)
        | Q(status=AttemptStatus.DIALING, ringing_since__lt=now - RINGING_FOR)
        | Q(status__in=_ANSWERED, answered_at__lt=now - ANSWERED_FOR)
    ).only("pk", "call_id", "status", "answered_at"))  # fmt: skip


def end_stale_attempts(now: dt.datetime) -> int:
    """End the attempts pbx left without news for too long; returns how many."""
    ended = 0
    for attempt in stale_attempts(now):
        answered = attempt.answered_at is not None
        outcome = CallOutcome.DROPPED if answered else CallOutcome.FAILED
        detail = f"no word from pbx for too long while {attempt.status}: ended by the dialer"
        event = CallEnded(call_id=attempt.call_id, outcome=outcome, cause=STALE_CAUSE, detail=detail,
                          at=now.timestamp())  # fmt: skip
        if apply_event(event) == "ended":
            ended += 1
            log.warning("attempt %s (%s) had no word from pbx: ended as %s", attempt.call_id, attempt.status, outcome)
    return ended
