"""Every write of the agent console: one transaction each, pushes to the console after commit.

Agent state lives on ``people.Agent`` (the dialer counts free agents from it). The queue
side of a state change (pause/unpause the member in Asterisk) is done by the agent's own
softphone calling ``cc-pause``/``cc-unpause`` in the dialplan; :func:`do_set_state` says which.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from contactcenter.campaigns.services import ActionError, disposition_by_code, do_set_disposition
from contactcenter.console import notifier, offers
from contactcenter.console.models import CallStatus, ConsoleCall
from contactcenter.people.models import Agent, AgentState

log = logging.getLogger(__name__)

# What the agent may choose on the console, and what the softphone does with the queue then.
CHOOSABLE_STATES = {
    AgentState.AVAILABLE: "unpause",
    AgentState.PAUSED: "pause",
    AgentState.OFFLINE: "pause",  # and unregister: an unregistered endpoint is not rung either
}


@dataclass(frozen=True)
class StateChange:
    state: str
    queue_action: str  # "pause" | "unpause" | "": what the softphone should tell Asterisk
    register: bool  # whether the softphone should be registered in this state


def _set_agent_state(agent: Agent, state: str, now: dt.datetime) -> None:
    agent.state = state
    agent.state_changed_at = now
    agent.save(update_fields=["state", "state_changed_at"])
    transaction.on_commit(lambda: notifier.publish(agent.name, {"type": "agent.state", "state": state}))


def do_set_state(agent_id: int, state: str, now: dt.datetime | None = None) -> StateChange:
    """The agent chose available / paused / offline on the console."""
    if state not in CHOOSABLE_STATES:
        raise ActionError(f"an agent cannot choose the state {state!r}")
    now = now or timezone.now()
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent_id)
        busy = ConsoleCall.objects.filter(agent=agent, status__in=[CallStatus.RINGING, CallStatus.ANSWERED])
        if state != AgentState.AVAILABLE and busy.filter(status=CallStatus.ANSWERED).exists():
            raise ActionError("finish the call first")
        if state == AgentState.AVAILABLE and agent.state == AgentState.RESERVED:
            # pbx holds the agent for a call at risk (paused in its queues): unpausing would undo that.
            raise ActionError("you are reserved for a call likely to escalate; the hold ends by itself")
        if state == AgentState.AVAILABLE and ConsoleCall.objects.filter(agent=agent, status=CallStatus.ENDED).exists():
            raise ActionError("save the disposition of your last call first")
        _set_agent_state(agent, state, now)
    return StateChange(state, CHOOSABLE_STATES[state], register=state != AgentState.OFFLINE)


def do_offer_call(agent_id: int, *, sip_call_id: str, call_id: str = "", queue: str = "", reason: str = "",
                  score: str = "", summary: str = "", now: dt.datetime | None = None) -> ConsoleCall:  # fmt: skip
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
                call_id=call_id[:64], queue=queue[:80],
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
    """The call left the softphone. Answered calls go to wrap-up (paused until disposed)."""
    now = now or timezone.now()
    _confirm_late(agent_id, call_pk, now)
    with transaction.atomic():
        call = _own_call(agent_id, call_pk)
        if call.status in (CallStatus.RINGING, CallStatus.ANSWERED):
            answered = call.status == CallStatus.ANSWERED
            call.status = CallStatus.ENDED if answered else CallStatus.MISSED
            call.ended_at = now
            call.end_cause = cause[:64]
            call.save(update_fields=["status", "ended_at", "end_cause"])
            _set_agent_state(call.agent, AgentState.WRAP_UP if answered else AgentState.AVAILABLE, now)
    if call.status == CallStatus.ENDED:
        return call, StateChange(AgentState.WRAP_UP, "pause", register=True)
    return call, StateChange(call.agent.state, "", register=True)


def do_dispose(agent_id: int, call_pk: int, code: str, note: str = "", user: AbstractBaseUser | None = None,
               now: dt.datetime | None = None) -> tuple[ConsoleCall, StateChange]:  # fmt: skip
    """The agent's verdict on the call; it also becomes the campaign attempt's disposition."""
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
        _set_agent_state(call.agent, AgentState.AVAILABLE, now)
    log.info("console call %s disposed as %s by %s", call.pk, code, call.agent.name)
    return call, StateChange(AgentState.AVAILABLE, "unpause", register=True)


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
        agent.pause_reason = forced_pause_reason(supervisor, reason) if state == AgentState.PAUSED else ""
        agent.save(update_fields=["pause_reason"])
        _set_agent_state(agent, state, now)
        forced = {"type": "agent.forced", "state": state, "by": supervisor, "reason": reason,
                  "pause_reason": agent.pause_reason}  # fmt: skip
        transaction.on_commit(lambda: notifier.publish(agent.name, forced))
    log.info("%s forced %s to %s (%s)", supervisor, agent.name, state, reason or "no reason")
    return agent
