"""Pre-alert reservations: an agent held for an AI call that is likely to escalate.

pbx says a call is at risk (``call.at_risk``); :func:`do_reserve` picks the best free agent of
the call's queue and marks them ``reserved`` (a :class:`Reservation` row and the agent's
state, in the caller's transaction); the caller then tells pbx (``reserve_agent``), which holds
the agent in Asterisk. pbx reports the end (``agent.reservation_ended``): :func:`do_end` lets
the agent go back to available, unless a person or their phone has set another state since.
:func:`sweep` ends what pbx never reported (pbx gone), so nobody stays reserved forever.

Safe to repeat: one ``call.at_risk`` event reserves once (its id is kept on the row), a call has
at most one open reservation and an agent at most one (database constraints).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from contactcenter.people.models import Agent, AgentSkill, AgentState, HumanQueue, QueueMembership, Reservation
from pbx.api import CallAtRisk, ReservationEnd

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """A free member of the queue, with what ranks it (lower ``rank`` first)."""

    agent: Agent
    penalty: int
    skill_level: int  # in the queue's required skill; 0 without one

    @property
    def rank(self) -> tuple[int, int, float, str]:
        idle_since = self.agent.state_changed_at.timestamp() if self.agent.state_changed_at else 0.0
        return (self.penalty, -self.skill_level, idle_since, self.agent.name)


def candidates(queue: HumanQueue) -> list[Candidate]:
    """The queue's available agents, best first: lowest penalty, then highest level in the queue's
    required skill, then free the longest. Membership and penalties are the ones pbx renders
    (``contactcenter.telephony.snapshot.queue_members``): Asterisk would offer them in this order."""
    from contactcenter.telephony.snapshot import queue_members

    by_hand = list(QueueMembership.objects.filter(queue=queue).select_related("agent"))
    skilled = (list(AgentSkill.objects.filter(skill_id=queue.required_skill_id).select_related("agent"))
               if queue.required_skill_id else [])  # fmt: skip
    penalties = {member.agent: member.penalty for member in queue_members(queue, by_hand, skilled)}
    levels = {held.agent.name: held.level for held in skilled}
    free = Agent.objects.filter(name__in=list(penalties), state=AgentState.AVAILABLE)
    found = [Candidate(agent, penalties[agent.name], levels.get(agent.name, 0)) for agent in free]
    return sorted(found, key=lambda c: c.rank)


@dataclass(frozen=True)
class Reserved:
    """What :func:`do_reserve` did: ``reservation`` is new (tell pbx), or ``why`` says why not."""

    reservation: Reservation | None
    why: str  # "reserved", "already_reserved" (this event or this call), "no_queue", "no_free_agent"


def do_reserve(event: CallAtRisk, hold_s: int, now: dt.datetime) -> Reserved:
    """Reserve the best free agent of ``event.queue`` for ``event.call_id`` (in one transaction)."""
    with transaction.atomic():
        if Reservation.objects.filter(at_risk_event_id=event.event_id).exists():
            return Reserved(None, "already_reserved")  # this very event, delivered again
        if Reservation.objects.filter(call_id=event.call_id, ended_at__isnull=True).exists():
            return Reserved(None, "already_reserved")
        queue = HumanQueue.objects.filter(name=event.queue).first()
        if queue is None:
            log.warning("pre-alert: call %s is at risk for queue %r, which does not exist", event.call_id, event.queue)
            return Reserved(None, "no_queue")
        for candidate in candidates(queue):
            # Compare and set: a phone event may have taken the agent since the candidates were read.
            taken = Agent.objects.filter(pk=candidate.agent.pk, state=AgentState.AVAILABLE).update(
                state=AgentState.RESERVED, state_changed_at=now)  # fmt: skip
            if not taken:
                continue
            try:
                with transaction.atomic():  # a savepoint: the constraint's refusal leaves the rest intact
                    reservation = Reservation.objects.create(
                        agent=candidate.agent, call_id=event.call_id or "", queue=queue.name,
                        at_risk_event_id=event.event_id, reason=event.reason or "", score=event.score,
                        explanation=event.explanation[:2000], lead_id=_lead_id(event), reserved_at=now,
                        until=now + dt.timedelta(seconds=hold_s),
                    )  # fmt: skip
            except IntegrityError:  # another reservation of this call won meanwhile
                Agent.objects.filter(pk=candidate.agent.pk, state=AgentState.RESERVED).update(
                    state=AgentState.AVAILABLE, state_changed_at=now)  # fmt: skip
                return Reserved(None, "already_reserved")
            candidate.agent.state = AgentState.RESERVED
            return Reserved(reservation, "reserved")
    log.warning("pre-alert: no free agent in %s for call %s at risk (%s, %.2f)", queue.name, event.call_id,
                event.reason, event.score)  # fmt: skip
    return Reserved(None, "no_free_agent")


def _lead_id(event: CallAtRisk) -> int | None:
    """The call's lead: its campaign attempt's, else the one pbx named (an inbound call to a campaign)."""
    from contactcenter.campaigns.models import CallAttempt, Lead

    if lead_id := CallAttempt.objects.filter(call_id=event.call_id).values_list("lead_id", flat=True).first():
        return lead_id
    if event.lead_id is None or not Lead.objects.filter(pk=event.lead_id).exists():
        return None
    return event.lead_id


def do_confirm(call_id: str, agent_name: str, until: dt.datetime) -> bool:
    """pbx holds the agent (``agent.reserved``): its ``until`` is the one that counts."""
    return bool(Reservation.objects.filter(call_id=call_id, agent__name=agent_name, ended_at__isnull=True)
                .update(until=until))  # fmt: skip


def do_end(call_id: str, why: ReservationEnd, now: dt.datetime, agent_name: str | None = None) -> list[Reservation]:
    """End the call's open reservation (of ``agent_name`` if given); returns what it ended.

    The agent goes back to available only if still ``reserved``: a state a person set meanwhile
    (paused, offline) or their phone's (ringing with the escalated call) is theirs to keep."""
    with transaction.atomic():
        open_ = Reservation.objects.select_for_update().select_related("agent").filter(call_id=call_id,
                                                                                      ended_at__isnull=True)  # fmt: skip
        if agent_name is not None:
            open_ = open_.filter(agent__name=agent_name)
        ended = list(open_.order_by("pk"))
        for reservation in ended:
            _close(reservation, why, now)
    return ended


def _close(reservation: Reservation, why: ReservationEnd, now: dt.datetime) -> None:
    reservation.ended_at, reservation.end = now, why
    reservation.save(update_fields=["ended_at", "end"])
    # Another open reservation of the same agent cannot exist (constraint): reserved means this one.
    Agent.objects.filter(pk=reservation.agent_id, state=AgentState.RESERVED).update(
        state=AgentState.AVAILABLE, state_changed_at=now)  # fmt: skip


def open_reservation(agent: Agent) -> Reservation | None:
    return Reservation.objects.filter(agent=agent, ended_at__isnull=True).select_related("lead__campaign").first()


def open_reservation_of_call(call_id: str) -> Reservation | None:
    return Reservation.objects.filter(call_id=call_id, ended_at__isnull=True).select_related("agent").first()


def sweep(now: dt.datetime, grace_s: float, hold_s: float) -> list[Reservation]:
    """End reservations ``grace_s`` past their ``until`` (pbx would have ended them by then, so it is
    gone or its report is lost), and free agents left ``reserved`` without an open reservation (a
    pbx ``agent.state_changed`` after Django had ended it) for longer than a hold and the grace."""
    cutoff = now - dt.timedelta(seconds=grace_s)
    orphan_cutoff = cutoff - dt.timedelta(seconds=hold_s)
    with transaction.atomic():
        # Locked in primary-key order, as everywhere (no deadlock on PostgreSQL).
        stale = list(Reservation.objects.select_for_update().filter(ended_at__isnull=True, until__lt=cutoff)
                     .order_by("pk"))  # fmt: skip
        for reservation in stale:
            _close(reservation, ReservationEnd.TIMEOUT, now)
        holding = Reservation.objects.filter(agent=OuterRef("pk"), ended_at__isnull=True)
        orphans = Agent.objects.filter(Q(state_changed_at__lt=orphan_cutoff) | Q(state_changed_at__isnull=True),
                                       ~Exists(holding), state=AgentState.RESERVED)  # fmt: skip
        freed = orphans.update(state=AgentState.AVAILABLE, state_changed_at=now)
    if stale or freed:
        log.warning("pre-alert sweep: ended %d reservation(s) past their time, freed %d agent(s) left reserved",
                    len(stale), freed)  # fmt: skip
    return stale
