"""Whether a call the agent's browser reports ringing was offered to that agent.

The browser reports pbx's call id from the INVITE (``X-CC-Call-Id``), and anything a browser
sends can be forged: an agent could name any call, to read its lead, its transcript, or to
dispose it. So a reported call is *confirmed* (and its campaign attempt and lead attached) only
when Django or the call ledger says it is headed for this agent:

- pbx said this agent answered it (the attempt's or the ledger transfer's ``agent``); or
- it is live, nobody has answered it, and it is escalated to one of the agent's queues: the
  queue pbx reported, or, while that event is still on its way, the campaign's escalation or
  overflow queues (the phone rings as the caller enters the queue, before Django hears of it).

Unconfirmed, the console shows only what the INVITE itself carried. The browser's
``X-CC-Lead-Id`` is never looked up: the lead is the confirmed attempt's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import DatabaseError

from contactcenter.campaigns.models import AttemptStatus, CallAttempt
from contactcenter.people.models import Agent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Confirmation:
    attempt: CallAttempt | None  # None: not a campaign call (the ledger confirmed it)


def confirm(agent: Agent, call_id: str) -> Confirmation | None:
    """A confirmation if ``call_id`` is offered to (or was answered by) ``agent``; None otherwise.

    Call it outside a transaction: the ledger's tables may be missing (a database pbx never
    wrote to), and a failed query would spoil the transaction on PostgreSQL.
    """
    if not call_id:
        return None
    queues = set(agent.queues.values_list("name", flat=True))
    attempt = CallAttempt.objects.select_related("campaign__escalation_queue", "lead").filter(call_id=call_id).first()
    if attempt is not None and _attempt_is_for(attempt, agent.name, queues):
        return Confirmation(attempt)
    if attempt is None and _ledger_is_for(call_id, agent.name, queues):
        return Confirmation(None)
    return None


def _attempt_is_for(attempt: CallAttempt, agent_name: str, queues: set[str]) -> bool:
    if attempt.agent:
        return attempt.agent == agent_name
    if attempt.status == AttemptStatus.ENDED:
        return False
    headed_for = {attempt.escalation_queue} if attempt.escalation_queue else set(attempt.campaign.queue_names())
    return bool(headed_for & queues)


def _ledger_is_for(call_id: str, agent_name: str, queues: set[str]) -> bool:
    from contactcenter.ledger.models import Transfer

    try:
        transfers = list(Transfer.objects.filter(call_id=call_id).values_list("queue", "agent", "result"))
    except DatabaseError as exc:  # no ledger tables in this database
        log.debug("cannot confirm %s from the ledger: %s", call_id, exc)
        return False
    return any(agent == agent_name if agent else result is None and queue in queues
               for queue, agent, result in transfers)  # fmt: skip
