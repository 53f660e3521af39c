"""Pre-alert, end to end on the management side: pbx's events in, reservations, the command to
pbx and the reserved agent's "likely escalation" banner out.

``call.at_risk`` reserves an agent (:mod:`contactcenter.people.reservations`) and, after the
commit, sends pbx ``reserve_agent`` and pushes the banner (reason, explanation, lead, transcript
so far) to that agent's consoles only; each final ``call.utterance`` of the call adds a line to
it (with the utterance's sentiment, which the console draws), each ``call.decision`` and a
repeated ``call.at_risk`` update VoiceWatch's score and reason on it;
``agent.reservation_ended``, ``call.ended`` and the sweep end the reservation and clear it.
``call.at_risk`` with ``active`` false only clears the banner: pbx ends the hold and says so.

Every handler runs inside the event consumer's transaction; the pushes and the command go out
after it commits (a rolled-back read is delivered again and changes nothing twice).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from contactcenter.console import notifier
from contactcenter.console.screenpop import lead_card, reason_label, transcript
from contactcenter.console.services import agent_state_event
from contactcenter.people import reservations
from contactcenter.people.models import Agent, Reservation
from contactcenter.wallboard.nudge import nudge
from pbx.api import (
    AgentReserved,
    CallAtRisk,
    CallEnded,
    Command,
    DecisionMade,
    Event,
    ReservationEnd,
    ReservationEnded,
    ReserveAgent,
    UtteranceHeard,
)

log = logging.getLogger(__name__)

# Lines of the conversation the banner opens with (later ones are pushed as they are heard).
TRANSCRIPT_LINES = 20

BANNER = "prealert"  # the console event that shows (or replaces) the banner
BANNER_LINE = "prealert.utterance"
BANNER_SCORE = "prealert.score"
BANNER_CLEARED = "prealert.cleared"


class CommandSender(Protocol):
    def send(self, commands: Sequence[Command]) -> None:
        """All of them, or raise."""


def hold_s() -> int:
    return max(5, min(600, int(settings.CC_PREALERT_HOLD_S)))


def _at(event: Event) -> dt.datetime:
    return dt.datetime.fromtimestamp(event.at, tz=dt.UTC)


# ------------------------------------------------------------------ what the agent sees


def banner(reservation: Reservation) -> dict[str, Any]:
    """The banner of an open reservation. Reads the ledger: call it outside a transaction."""
    return {
        "type": BANNER, "call_id": reservation.call_id, "queue": reservation.queue,
        "reason": reservation.reason, "reason_label": reason_label(reservation.reason),
        "score": round(reservation.score, 2), "explanation": reservation.explanation,
        "reserved_at": reservation.reserved_at.timestamp(), "until": reservation.until.timestamp(),
        "lead": lead_card(reservation.lead), "transcript": transcript(reservation.call_id, TRANSCRIPT_LINES),
    }  # fmt: skip


def banner_of(agent: Agent) -> dict[str, Any] | None:
    """The agent's banner now (a console that (re)connects), or None without an open reservation."""
    reservation = reservations.open_reservation(agent)
    return banner(reservation) if reservation else None


def _push_state(agent_name: str) -> None:
    agent = Agent.objects.filter(name=agent_name).first()
    if agent is not None:
        notifier.publish(agent_name, agent_state_event(agent))
        nudge(f"agent {agent_name} {agent.state}")


def _after_commit(push: Callable[[], None]) -> None:
    transaction.on_commit(push)


def _cleared(reservation: Reservation, why: str) -> None:
    name = reservation.agent.name
    event = {"type": BANNER_CLEARED, "call_id": reservation.call_id, "why": why}
    _after_commit(lambda: notifier.publish(name, event))


# ------------------------------------------------------------------ pbx's events


def on_call_at_risk(event: CallAtRisk, link: CommandSender | None) -> str:
    if not event.call_id:
        return "ignored"
    if not event.active:
        reservation = reservations.open_reservation_of_call(event.call_id)
        if reservation is None:
            return "ignored"
        _cleared(reservation, ReservationEnd.RISK_FELL)
        return "banner_cleared"
    if link is None:  # nobody to tell pbx: a reservation pbx does not hold would only idle an agent
        return "ignored"
    result = reservations.do_reserve(event, hold_s(), _at(event))
    reservation = result.reservation
    if reservation is None:
        if result.why == "already_reserved":  # pbx saying it again, with its newer score: on the banner
            _push_score(event.call_id, event.score, event.reason, event.explanation)
        return result.why
    agent = reservation.agent
    command = ReserveAgent(call_id=reservation.call_id, agent=agent.name, queue=reservation.queue,
                           auto_answer=agent.auto_answer, hold_s=hold_s())  # fmt: skip

    def tell() -> None:
        try:
            link.send([command])
        except Exception as exc:  # Redis down: the agent stays reserved until the sweep frees them
            log.warning("pre-alert: reserve_agent for %s not sent (%s)", reservation.call_id, exc)
        _push_state(agent.name)
        notifier.publish(agent.name, banner(reservation))

    _after_commit(tell)
    log.info("pre-alert: %s reserved for call %s (%s, %.2f)", agent.name, reservation.call_id,
             reservation.reason, reservation.score)  # fmt: skip
    return "reserved"


def on_agent_reserved(event: AgentReserved) -> str:
    until = dt.datetime.fromtimestamp(event.until, tz=dt.UTC)
    return "reservation_confirmed" if reservations.do_confirm(event.call_id or "", event.agent, until) else "ignored"


def _end(call_id: str, why: ReservationEnd, at: dt.datetime, agent_name: str | None = None) -> str:
    ended = reservations.do_end(call_id, why, at, agent_name)
    for reservation in ended:
        _cleared(reservation, why)
        _after_commit(lambda name=reservation.agent.name: _push_state(name))
    return "reservation_ended" if ended else "ignored"


def on_reservation_ended(event: ReservationEnded) -> str:
    return _end(event.call_id or "", event.why, _at(event), event.agent)


def on_call_ended(event: CallEnded) -> str:
    return _end(event.call_id or "", ReservationEnd.CALL_ENDED, _at(event)) if event.call_id else "ignored"


def on_utterance(event: UtteranceHeard) -> str:
    if not event.final or not event.call_id:
        return "ignored"
    reservation = reservations.open_reservation_of_call(event.call_id)
    if reservation is None:
        return "ignored"
    name = reservation.agent.name
    line = {"type": BANNER_LINE, "call_id": event.call_id,
            "utterance": {"id": event.utterance_id, "speaker": event.speaker, "text": event.text,
                          "sentiment": event.sentiment}}  # fmt: skip
    _after_commit(lambda: notifier.publish(name, line))
    return "banner_updated"


def _push_score(call_id: str, score: float, reason: str | None, explanation: str) -> bool:
    """VoiceWatch's newer word on a call an agent is reserved for, to that agent's console."""
    reservation = reservations.open_reservation_of_call(call_id)
    if reservation is None:
        return False
    name = reservation.agent.name
    update: dict[str, Any] = {"type": BANNER_SCORE, "call_id": call_id, "score": round(score, 2),
                              "explanation": explanation}  # fmt: skip
    if reason:  # a keep-bot decision names none: the banner keeps the reason it shows
        update |= {"reason": reason, "reason_label": reason_label(reason)}
    _after_commit(lambda: notifier.publish(name, update))
    return True


def on_decision(event: DecisionMade) -> str:
    if not event.call_id:
        return "ignored"
    scored = _push_score(event.call_id, event.score, event.reason, event.explanation)
    return "banner_scored" if scored else "ignored"


def apply(event: Event, link: CommandSender | None) -> str | None:
    """Apply a pre-alert event; None if ``event`` is not one (``call.ended`` is also the attempt's)."""
    if isinstance(event, CallAtRisk):
        return on_call_at_risk(event, link)
    if isinstance(event, AgentReserved):
        return on_agent_reserved(event)
    if isinstance(event, ReservationEnded):
        return on_reservation_ended(event)
    if isinstance(event, UtteranceHeard):
        return on_utterance(event)
    if isinstance(event, DecisionMade):
        return on_decision(event)  # the call attempt takes nothing from a decision
    return None


def sweep(now: dt.datetime) -> int:
    """The dialer's periodic sweep (:func:`reservations.sweep`): what pbx never ended, ended here."""
    with transaction.atomic():
        stale = reservations.sweep(now, settings.CC_PREALERT_SWEEP_GRACE_S, hold_s())
        for reservation in stale:
            _cleared(reservation, ReservationEnd.TIMEOUT)
            _after_commit(lambda name=reservation.agent.name: _push_state(name))
    return len(stale)
