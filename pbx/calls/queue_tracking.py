"""Queue activity from AMI for the calls pbx escalated, and every ``QueueEvent`` pbx publishes.

The builders at the bottom are the only places a ``QueueEvent`` is made (for our escalated
calls, for a caller back from a queue, and for anyone else's queue activity), so what pbx
says about queues changes in this one file.
"""

from __future__ import annotations

import time

from pbx.ami_listener import AmiEvent
from pbx.api import QueueEvent
from pbx.calls.ending import CallEnding, final_outcome
from pbx.calls.live import CallState, LiveCall, Transfer
from pbx.calls.protocols import Publish
from pbx.calls.registry import CallRegistry

# Answered calls the dialplan holds for a while (not in Stasis, not escalated).
_IN_DIALPLAN = (CallState.SCREENING, CallState.LEAVING_MESSAGE)


class QueueTracking:
    def __init__(self, registry: CallRegistry, ending: CallEnding, publish: Publish) -> None:
        self._registry = registry
        self._ending = ending
        self._publish = publish

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
        if event.name == "QueueCallerJoin" and transfer.queue_joined_at is None:
            transfer.queue_joined_at = time.time()
            call.state = CallState.QUEUED
        elif event.name == "AgentConnect":
            call.state = CallState.WITH_AGENT
        elif callers_line_down:
            await self._ending.end(call, "escalated", cause=event.cause, detail=transfer.reason)
            return
        await self._publish(escalated_call_event(call, transfer, event))


def escalated_call_event(call: LiveCall, transfer: Transfer, event: AmiEvent) -> QueueEvent:
    """Queue activity of a call we escalated, with the transfer's timings once it joined."""
    joined = event.name == "QueueCallerJoin"
    return QueueEvent(
        call_id=call.call_id, transfer_id=transfer.transfer_id, name=event.name,
        queue=event.queue if event.queue is not None else transfer.queue, channel=event.channel,
        member=event.member_name, reason=transfer.reason,
        wait_s=transfer.decision_to_queue_ms / 1000 if joined and transfer.decision_to_queue_ms else None,
        transfer_s=transfer.transfer_to_queue_ms / 1000 if joined and transfer.transfer_to_queue_ms else None,
    )  # fmt: skip


def returned_to_bot_event(call: LiveCall, transfer_id: str, queue: str, status: str) -> QueueEvent:
    """Nobody in ``queue`` answered in time (QUEUESTATUS ``status``): the call is back with the bot."""
    return QueueEvent(call_id=call.call_id, transfer_id=transfer_id, name="QueueReturned", queue=queue, reason=status)


def other_queue_event(event: AmiEvent) -> QueueEvent:
    """Queue and agent activity that is not one of our escalated calls, for the wallboard and the console."""
    return QueueEvent(
        call_id=event.call_id or None, name=event.name, queue=event.queue or "", channel=event.channel,
        member=event.member_name or event.interface, reason=event.escalation_reason,
        asterisk_ts=event.asterisk_ts,
    )  # fmt: skip
