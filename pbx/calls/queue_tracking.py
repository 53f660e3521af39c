"""Queue activity from AMI, turned into pbx.api's domain events (``call.queued``, ...).

pbx is the one place that reads AMI's queue and agent events; this module is where their
names are translated (``queue_activity``), for the calls pbx escalated (with the transfer's
timings) and for everyone else's (callers moved by the fail-safe, straight from the trunk).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from pbx.ami_listener import AmiEvent
from pbx.api import (
    AgentConnected,
    AgentState,
    AgentStateChanged,
    CallLeftQueue,
    CallOutcome,
    CallQueued,
    EscalationReason,
    Event,
    QueueAbandoned,
    ReturnedToBot,
)
from pbx.calls.ending import CallEnding, final_outcome
from pbx.calls.live import CallState, LiveCall, Transfer
from pbx.calls.protocols import Publish
from pbx.calls.registry import CallRegistry

log = logging.getLogger(__name__)

# Answered calls the dialplan holds for a while (not in Stasis, not escalated).
_IN_DIALPLAN = (CallState.SCREENING, CallState.LEAVING_MESSAGE, CallState.AFTER_HOURS)
# A caller's passage through one queue: each happens once per transfer, so a repeat
# (an AMI event delivered twice) would count the call twice on the wallboard.
_ONCE_PER_TRANSFER = frozenset({"QueueCallerJoin", "QueueCallerLeave", "QueueCallerAbandon", "AgentConnect"})
_SEEN_LIMIT = 10_000


class QueueTracking:
    def __init__(self, registry: CallRegistry, ending: CallEnding, publish: Publish) -> None:
        self._registry = registry
        self._ending = ending
        self._publish = publish
        # (transfer id, event name) of the once-per-transfer events seen, oldest first; bounded,
        # since a transfer's events all come within minutes.
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def _first_time(self, transfer: Transfer, name: str) -> bool:
        key = (transfer.transfer_id, name)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > _SEEN_LIMIT:
            self._seen.popitem(last=False)
        return True

    async def on_ami_event(self, event: AmiEvent) -> None:
        """Matched to our call by the caller channel's unique id (an agent's leg: its linked id)."""
        call = self._registry.by_channel(event.unique_id) or self._registry.by_channel(event.linked_id)
        if call is None:
            return
        callers_line_down = event.name == "Hangup" and event.unique_id == call.channel_id
        if callers_line_down and call.state in _IN_DIALPLAN:
            # Out of Stasis our app may not hear ChannelDestroyed; AMI always reports the hang-up.
            outcome, detail = final_outcome(call)
            await self._ending.end(call, outcome, cause=event.cause, detail=detail)
            return
        if call.transfer is None:
            return
        transfer = call.transfer
        if event.name in _ONCE_PER_TRANSFER:
            if not self._first_time(transfer, event.name):
                log.info("call %s: repeated AMI %s ignored", call.call_id, event.name)
                return
        if event.name == "QueueCallerJoin":
            transfer.queue_joined_at = transfer.queue_joined_at or time.time()
            if call.state is CallState.ESCALATING:  # an AgentConnect that overtook it stays the word
                call.state = CallState.QUEUED
        elif event.name == "AgentConnect":
            call.state = CallState.WITH_AGENT
            transfer.agent = member_agent(event)
            transfer.agent_channel = event.dest_unique_id
        elif event.name in ("DialBegin", "DialEnd"):
            direct = supervisor_phone_dial if transfer.phone else reserved_agent_dial
            for activity in direct(call, transfer, event):
                await self._publish(activity)
            return
        elif callers_line_down:
            await self._ending.end(call, CallOutcome.ESCALATED, cause=event.cause, detail=transfer.reason)
            return
        for activity in escalated_call_activity(call, transfer, event):
            await self._publish(activity)


def escalated_call_activity(call: LiveCall, transfer: Transfer, event: AmiEvent) -> list[Event]:
    """Queue activity of a call we escalated, with the transfer's timings once it joined."""
    return queue_activity(
        event, call_id=call.call_id, transfer_id=transfer.transfer_id, reason=transfer.reason,
        queue=event.queue if event.queue is not None else transfer.queue,
        wait_s=transfer.decision_to_queue_ms / 1000 if transfer.decision_to_queue_ms else None,
        transfer_s=transfer.transfer_to_queue_ms / 1000 if transfer.transfer_to_queue_ms else None,
    )  # fmt: skip


def reserved_agent_dial(call: LiveCall, transfer: Transfer, event: AmiEvent) -> list[Event]:
    """The dialplan ringing a pre-alert reservation's agent before Queue() (``cc-reserved-agent``):
    their answer is the call's ``call.agent_connected``, as a queue member's would be. Queue()'s
    own Dials to its members come after QueueCallerJoin and are told by AgentConnect instead."""
    held = call.reservation
    if held is None or not held.rung or transfer.queue_joined_at is not None:
        return []
    if not event.dest_channel.startswith(f"PJSIP/{held.agent}-"):
        return []
    common = {"call_id": call.call_id, "queue": transfer.queue, "asterisk_ts": event.asterisk_ts}
    if event.name == "DialBegin":
        return [AgentStateChanged(agent=held.agent, state=AgentState.RINGING, **common)]
    if event.dial_status != "ANSWER":
        return []  # Queue() rings the others next; the reservation ends when the caller joins it
    call.state = CallState.WITH_AGENT
    transfer.direct_agent = transfer.agent = held.agent
    transfer.agent_channel = event.dest_unique_id
    return [
        AgentStateChanged(agent=held.agent, state=AgentState.ON_CALL, **common),
        AgentConnected(**common, transfer_id=transfer.transfer_id, channel=event.channel, agent=held.agent,
                       reason=_reason(transfer.reason)),  # fmt: skip
    ]


def supervisor_phone_dial(call: LiveCall, transfer: Transfer, event: AmiEvent) -> list[Event]:
    """The dialplan ringing the phone of a supervisor who took the call over (``cc-supervisor-phone``):
    their answer is the call's ``call.agent_connected``, as a queue member's would be. No answer:
    the caller goes on to the call's queue, whose own events follow."""
    if transfer.queue_joined_at is not None or not event.dest_channel.startswith(f"PJSIP/{transfer.phone}-"):
        return []
    common = {"call_id": call.call_id, "queue": transfer.queue, "asterisk_ts": event.asterisk_ts}
    if event.name == "DialBegin":
        return [AgentStateChanged(agent=transfer.phone, state=AgentState.RINGING, **common)]
    if event.dial_status != "ANSWER":
        return [AgentStateChanged(agent=transfer.phone, state=AgentState.AVAILABLE, **common)]
    call.state = CallState.WITH_AGENT
    transfer.direct_agent = transfer.agent = transfer.phone
    transfer.agent_channel = event.dest_unique_id
    return [
        AgentStateChanged(agent=transfer.phone, state=AgentState.ON_CALL, **common),
        AgentConnected(**common, transfer_id=transfer.transfer_id, channel=event.channel, agent=transfer.phone,
                       reason=_reason(transfer.reason)),  # fmt: skip
    ]


def member_agent(event: AmiEvent) -> str:
    """The agent an event names: AMI gives a member's name ("agent1") or its interface ("PJSIP/agent1")."""
    return (event.member_name or event.interface).rsplit("/", 1)[-1]


def returned_to_bot_event(call: LiveCall, transfer: Transfer | None, queue: str, status: str) -> ReturnedToBot:
    """Nobody in ``queue`` answered in time (QUEUESTATUS ``status``): the call is back with the bot."""
    return ReturnedToBot(call_id=call.call_id, transfer_id=transfer.transfer_id if transfer else "", queue=queue,
                         status=status, reason=_reason(transfer.reason) if transfer else None)  # fmt: skip


def other_queue_activity(event: AmiEvent) -> list[Event]:
    """Queue and agent activity that is not one of our escalated calls, for the wallboard and the console."""
    return queue_activity(event, call_id=event.call_id or None, reason=event.escalation_reason, queue=event.queue or "")


# ---------------------------------------------------------------- AMI names -> domain events

# A caller's passage through a queue.
_CALLER_ACTIVITY: dict[str, type[CallQueued | CallLeftQueue | QueueAbandoned | AgentConnected]] = {
    "QueueCallerJoin": CallQueued,
    "QueueCallerLeave": CallLeftQueue,
    "QueueCallerAbandon": QueueAbandoned,
    "AgentConnect": AgentConnected,
}
# What an event says of the agent whose phone it is about.
_AGENT_STATE: dict[str, AgentState] = {
    "AgentCalled": AgentState.RINGING,
    "AgentConnect": AgentState.ON_CALL,
    "AgentComplete": AgentState.AVAILABLE,
    "AgentRingNoAnswer": AgentState.AVAILABLE,
    "AgentDump": AgentState.AVAILABLE,
}


def queue_activity(event: AmiEvent, *, call_id: str | None, reason: str, queue: str, transfer_id: str = "",
                   wait_s: float | None = None, transfer_s: float | None = None) -> list[Event]:  # fmt: skip
    """The domain events one AMI queue/agent event means (none for the ones nobody acts on)."""
    found: list[Event] = []
    agent = member_agent(event)
    state = _AGENT_STATE.get(event.name)
    if event.name == "QueueMemberPause" and event.paused_reason == AgentState.RESERVED:
        state = AgentState.RESERVED  # pbx's own pause for a pre-alert (pbx.calls.reservations)
    if state is not None and agent:
        found.append(AgentStateChanged(agent=agent, state=state, queue=queue, call_id=call_id,
                                       asterisk_ts=event.asterisk_ts))  # fmt: skip
    kind = _CALLER_ACTIVITY.get(event.name)
    if kind is None:
        return found
    common = {"call_id": call_id, "transfer_id": transfer_id, "queue": queue, "channel": event.channel,
              "reason": _reason(reason), "asterisk_ts": event.asterisk_ts}  # fmt: skip
    if kind is CallQueued:
        found.append(CallQueued(**common, wait_s=wait_s, transfer_s=transfer_s))
    elif kind is AgentConnected:
        found.append(AgentConnected(**common, agent=agent))
    else:
        found.append(kind(**common))
    return found


def _reason(text: str) -> EscalationReason | None:
    """The channel's CC_ESCALATION_REASON as a word of the contract; empty or unknown: None."""
    if not text:
        return None
    try:
        return EscalationReason(text)
    except ValueError:
        log.warning("escalation reason %r is not in pbx.api's vocabulary; published without one", text)
        return None
