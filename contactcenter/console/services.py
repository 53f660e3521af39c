"""Every write of the agent console: one transaction each, pushes to the console (and a nudge to
the wallboard) after commit.

Agent state lives on ``people.Agent`` (the dialer counts free agents from it), with the pause
reason the agent chose from the admin's list (:class:`~contactcenter.people.models.PauseReason`).
The queue side of a state change (pause/unpause the member in Asterisk) is done by the agent's
own softphone calling ``cc-pause``/``cc-unpause`` in the dialplan; :func:`do_set_state` says which.

Wrap-up: an answered call that ends puts the agent in ``wrap_up`` for its queue's
``wrap_up_s`` (``ConsoleCall.wrap_up_until``); the server keeps the time: the console asks
:func:`do_end_wrap_up` when its countdown reaches zero and :func:`sweep_wrap_ups` ends the ones
nobody asked for (a closed browser). A queue with ``wrap_up_s`` 0 keeps the agent in wrap-up
until the disposition is saved. The disposition can be saved during the wrap-up or after it.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from contactcenter.campaigns.services import ActionError, disposition_by_code, do_set_disposition
from contactcenter.console import notifier, offers
from contactcenter.console.models import CallStatus, ConsoleCall
from contactcenter.people.models import Agent, AgentState, HumanQueue, PauseReason
from contactcenter.wallboard.nudge import nudge

log = logging.getLogger(__name__)

# What the agent may choose on the console, and what the softphone does with the queue then.
CHOOSABLE_STATES = {
    AgentState.AVAILABLE: "unpause",
    AgentState.PAUSED: "pause",
    AgentState.OFFLINE: "pause",  # and unregister: an unregistered endpoint is not rung either
}


class InvalidRequest(ActionError):
    """A request no state would allow (a pause reason not in the list): 400, not 409."""


@dataclass(frozen=True)
class StateChange:
    state: str
    queue_action: str  # "pause" | "unpause" | "": what the softphone should tell Asterisk
    register: bool  # whether the softphone should be registered in this state
    reason: str = ""  # the pause reason, with state "paused"
    wrap_up_until: dt.datetime | None = None  # with state "wrap_up": when it ends (None: at the disposition)


def agent_state_event(agent: Agent) -> dict[str, str]:
    """What the console's websocket pushes about the agent."""
    return {"type": "agent.state", "state": agent.state, "reason": agent.pause_reason}


def _set_agent_state(agent: Agent, state: str, now: dt.datetime, reason: str = "") -> None:
    agent.state = state
    agent.pause_reason = reason if state == AgentState.PAUSED else ""
    agent.state_changed_at = now
    agent.save(update_fields=["state", "pause_reason", "state_changed_at"])
    event = agent_state_event(agent)

    def after_commit() -> None:
        notifier.publish(agent.name, event)
        nudge(f"agent {agent.name} {state}")

    transaction.on_commit(after_commit)


def pause_reasons() -> list[str]:
    """The reasons the console offers, in the admin's order."""
    return list(PauseReason.objects.filter(active=True).values_list("label", flat=True))


def _checked_reason(state: str, reason: str) -> str:
    reason = reason.strip()
    if state != AgentState.PAUSED:
        if reason:
            raise InvalidRequest("a reason goes with the paused state only")
        return ""
    offered = pause_reasons()
    if reason in offered or (not offered and not reason):
        return reason
    if not reason:
        raise InvalidRequest(f"choose why you pause: {', '.join(offered)}")
    choices = ", ".join(offered) or "none"
    raise InvalidRequest(f"{reason[:80]!r} is not a pause reason; choose one of: {choices}")


def wrap_up_s(agent: Agent, call: ConsoleCall) -> int:
    """The wrap-up after ``call``: its queue's, when the server knows the queue (the confirmed
    campaign attempt's), else the longest of the agent's queues: the queue the INVITE named
    comes from the browser, which must not be able to shorten its wrap-up."""
    mine = HumanQueue.objects.filter(Q(agents=agent) | Q(required_skill__holders__agent=agent))
    known = call.attempt.escalation_queue if call.attempt_id is not None and call.attempt else ""
    if known and (own := mine.filter(name=known).values_list("wrap_up_s", flat=True).first()) is not None:
        return int(own)
    return int(mine.aggregate(longest=Max("wrap_up_s"))["longest"] or 0)


def _wrap_up_hold(agent: Agent, now: dt.datetime) -> str:
    """Why the agent cannot be available yet after a call ("" when nothing holds them)."""
    held = ConsoleCall.objects.filter(agent=agent).filter(
        Q(status=CallStatus.ENDED, wrap_up_until__isnull=True) | Q(wrap_up_until__gt=now)
    ).order_by("-ended_at").first()  # fmt: skip
    if held is None:
        return ""
    if held.wrap_up_until is None:
        return "save the disposition of your last call first"
    return f"wrap-up ends in {math.ceil((held.wrap_up_until - now).total_seconds())} s"


def current_wrap_up_until(agent: Agent) -> dt.datetime | None:
    """When the agent's running wrap-up ends (None: not in a timed wrap-up)."""
    if agent.state != AgentState.WRAP_UP:
        return None
    return (ConsoleCall.objects.filter(agent=agent, ended_at__isnull=False,
                                       status__in=[CallStatus.ENDED, CallStatus.DISPOSED])
            .order_by("-ended_at").values_list("wrap_up_until", flat=True).first())  # fmt: skip


def do_set_state(agent_id: int, state: str, now: dt.datetime | None = None, reason: str = "") -> StateChange:
    """The agent chose available / paused (with a reason from the admin's list) / offline."""
    if state not in CHOOSABLE_STATES:
        raise ActionError(f"an agent cannot choose the state {state!r}")
    reason = _checked_reason(state, reason)
    now = now or timezone.now()
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent_id)
        busy = ConsoleCall.objects.filter(agent=agent, status__in=[CallStatus.RINGING, CallStatus.ANSWERED])
        if state != AgentState.AVAILABLE and busy.filter(status=CallStatus.ANSWERED).exists():
            raise ActionError("finish the call first")
        if state == AgentState.AVAILABLE and agent.state == AgentState.RESERVED:
            # pbx holds the agent for a call at risk (paused in its queues): unpausing would undo that.
            raise ActionError("you are reserved for a call likely to escalate; the hold ends by itself")
        if state == AgentState.AVAILABLE and (hold := _wrap_up_hold(agent, now)):
            raise ActionError(hold)
        _set_agent_state(agent, state, now, reason)
    return StateChange(state, CHOOSABLE_STATES[state], register=state != AgentState.OFFLINE, reason=reason)


def do_end_wrap_up(agent_id: int, now: dt.datetime | None = None) -> StateChange:
    """The console's countdown reached zero: available again, if the server's clock agrees and the
    agent is still wrapping up (one who paused meanwhile stays paused)."""
    now = now or timezone.now()
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent_id)
        if agent.state != AgentState.WRAP_UP:
            return current_state(agent)
        if hold := _wrap_up_hold(agent, now):
            raise ActionError(hold)
        _set_agent_state(agent, AgentState.AVAILABLE, now)
    return StateChange(AgentState.AVAILABLE, "unpause", register=True)


def current_state(agent: Agent) -> StateChange:
    """What the agent is now, as a change that asks the softphone for nothing."""
    return StateChange(agent.state, "", register=agent.state != AgentState.OFFLINE, reason=agent.pause_reason,
                       wrap_up_until=current_wrap_up_until(agent))  # fmt: skip


def sweep_wrap_ups(now: dt.datetime) -> int:
    """Wrap-ups whose time is up and that no console ended (the browser closed): available again.
    The member stays paused in Asterisk until a console registers again and says so."""
    ended = 0
    for agent_id in Agent.objects.filter(state=AgentState.WRAP_UP).values_list("pk", flat=True):
        with transaction.atomic():
            agent = Agent.objects.select_for_update().get(pk=agent_id)
            if agent.state == AgentState.WRAP_UP and not _wrap_up_hold(agent, now):
                _set_agent_state(agent, AgentState.AVAILABLE, now)
                ended += 1
    return ended


def do_offer_call(agent_id: int, *, sip_call_id: str, call_id: str = "", queue: str = "", reason: str = "",
                  score: str = "", summary: str = "", caller: str = "",
                  now: dt.datetime | None = None) -> ConsoleCall:  # fmt: skip
    """The agent's softphone is ringing with a call from a queue (the INVITE's X-CC-* headers).

    The campaign attempt and its lead are attached only if :func:`offers.confirm` confirms
    the call is this agent's; else later, when the agent answers or disposes it.
    """
    now = now or timezone.now()
    try:
        score_value: float | None = float(score) if score else None
    except ValueError:
        score_value = None
    confirmation = offers.confirm(Agent.objects.get(pk=agent_id), call_id)
    attempt = confirmation.attempt if confirmation else None
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent_id)
        call, created = ConsoleCall.objects.get_or_create(
            agent=agent, sip_call_id=sip_call_id[:200],
            defaults=dict(
                call_id=call_id[:64], queue=queue[:80], caller=caller[:80],
                reason=(reason or (attempt.escalation_reason if attempt else ""))[:64],
                score=score_value, summary=summary[:4000], attempt=attempt, lead=attempt.lead if attempt else None,
                offered_at=now, confirmed_at=now if confirmation else None,
            ),
        )  # fmt: skip
        if created:
            _set_agent_state(agent, AgentState.RINGING, now)
    return call


def _confirm_late(agent_id: int, call_pk: int, now: dt.datetime) -> None:
    """A call not confirmed when it rang may be by now (pbx's events caught up): attach its attempt."""
    call = ConsoleCall.objects.select_related("agent").filter(pk=call_pk, agent_id=agent_id).first()
    if call is None or call.confirmed_at is not None:
        return
    confirmation = offers.confirm(call.agent, call.call_id)
    if confirmation is None:
        return
    attempt = confirmation.attempt
    lead = attempt.lead if attempt else None
    ConsoleCall.objects.filter(pk=call_pk, confirmed_at__isnull=True).update(confirmed_at=now, attempt=attempt, lead=lead)


class UnknownCall(ActionError):
    """Not a call of this console: as far as this agent is concerned it does not exist."""


def _own_call(agent_id: int, call_pk: int) -> ConsoleCall:
    try:
        return ConsoleCall.objects.select_for_update().select_related("agent").get(pk=call_pk, agent_id=agent_id)
    except ConsoleCall.DoesNotExist:
        raise UnknownCall("no such call on this console") from None


def do_answered(agent_id: int, call_pk: int, now: dt.datetime | None = None) -> ConsoleCall:
    now = now or timezone.now()
    _confirm_late(agent_id, call_pk, now)
    with transaction.atomic():
        call = _own_call(agent_id, call_pk)
        if call.status == CallStatus.RINGING:
            call.status = CallStatus.ANSWERED
            call.answered_at = now
            call.save(update_fields=["status", "answered_at"])
            _set_agent_state(call.agent, AgentState.ON_CALL, now)
    return call


def do_ended(agent_id: int, call_pk: int, cause: str = "", now: dt.datetime | None = None) -> tuple[ConsoleCall, StateChange]:
    """The call left the softphone. An answered call puts the agent in wrap-up (paused in the
    queues) for its queue's wrap_up_s, or until the disposition when that is 0."""
    now = now or timezone.now()
    _confirm_late(agent_id, call_pk, now)
    with transaction.atomic():
        call = _own_call(agent_id, call_pk)
        if call.status in (CallStatus.RINGING, CallStatus.ANSWERED):
            answered = call.status == CallStatus.ANSWERED
            call.status = CallStatus.ENDED if answered else CallStatus.MISSED
            call.ended_at = now
            call.end_cause = cause[:64]
            if answered and (seconds := wrap_up_s(call.agent, call)):
                call.wrap_up_until = now + dt.timedelta(seconds=seconds)
            call.save(update_fields=["status", "ended_at", "end_cause", "wrap_up_until"])
            _set_agent_state(call.agent, AgentState.WRAP_UP if answered else AgentState.AVAILABLE, now)
            if answered:
                change = StateChange(AgentState.WRAP_UP, "pause", register=True, wrap_up_until=call.wrap_up_until)
                return call, change
    return call, current_state(call.agent)


def do_dispose(agent_id: int, call_pk: int, code: str, note: str = "", user: AbstractBaseUser | None = None,
               now: dt.datetime | None = None) -> tuple[ConsoleCall, StateChange]:  # fmt: skip
    """The agent's verdict on the call; it also becomes the campaign attempt's disposition.

    Ends a wrap-up that waited for it; a timed wrap-up still running goes on to its end."""
    now = now or timezone.now()
    disposition = disposition_by_code(code)
    _confirm_late(agent_id, call_pk, now)
    with transaction.atomic():
        call = _own_call(agent_id, call_pk)
        if call.status == CallStatus.DISPOSED:
            raise ActionError("this call already has a disposition")
        if call.status not in (CallStatus.ENDED, CallStatus.ANSWERED):
            raise ActionError("only a call the agent answered gets a disposition")
        call.disposition = disposition
        call.note = note[:300]
        call.disposed_by = user if user is not None and user.is_authenticated else None
        call.disposed_at = now
        call.status = CallStatus.DISPOSED
        call.ended_at = call.ended_at or now
        call.save()
        if call.attempt_id is not None:
            # The same transaction: the lead's outcome and the console's record agree or neither is saved.
            do_set_disposition(call.attempt_id, code, note, user, now)
        agent = Agent.objects.select_for_update().get(pk=agent_id)
        freed = agent.state == AgentState.WRAP_UP and not _wrap_up_hold(agent, now)
        if freed:
            _set_agent_state(agent, AgentState.AVAILABLE, now)
        change = StateChange(AgentState.AVAILABLE, "unpause", True) if freed else current_state(agent)
    log.info("console call %s disposed as %s by %s", call.pk, code, agent.name)
    return call, change


# What a supervisor may force on an agent, and the states in which it waits for the call instead:
# the console moves a busy agent on by itself (wrap-up, then available) and would undo it.
FORCIBLE_STATES = (AgentState.PAUSED, AgentState.OFFLINE)
_ON_A_CALL = (AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP)


def forced_pause_reason(supervisor: str, reason: str) -> str:
    return f"forced by {supervisor}: {reason}"[: Agent._meta.get_field("pause_reason").max_length]


def do_force_state(agent_id: int, state: str, *, supervisor: str, reason: str = "",
                   now: dt.datetime | None = None) -> Agent:  # fmt: skip
    """A supervisor pauses an agent (``reason`` from the admin's list) or logs them out.

    The agent's consoles get their new state and, separately, who did it (``agent.forced``).
    pbx makes Asterisk agree (the caller sends ``ForceAgentState`` in the same transaction).
    """
    if state not in FORCIBLE_STATES:
        raise ActionError(f"a supervisor cannot force the state {state!r}")
    now = now or timezone.now()
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent_id)
        if agent.state in _ON_A_CALL:
            busy = agent.state.replace("_", " ")
            raise ActionError(f"{agent.name} is {busy}: try again once the call is over")
        if state == AgentState.PAUSED and agent.state == AgentState.OFFLINE:
            raise ActionError(f"{agent.name} is logged out: there is nothing to pause")
        _set_agent_state(agent, state, now, forced_pause_reason(supervisor, reason))
        forced = {"type": "agent.forced", "state": state, "by": supervisor, "reason": reason,
                  "pause_reason": agent.pause_reason}  # fmt: skip
        transaction.on_commit(lambda: notifier.publish(agent.name, forced))
    log.info("%s forced %s to %s (%s)", supervisor, agent.name, state, reason or "no reason")
    return agent
