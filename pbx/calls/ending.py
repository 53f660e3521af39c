"""How a call ends: its final outcome, and the clean-up and ``CallEnded`` that close it."""

from __future__ import annotations

import logging

from pbx.api import AgentState, AgentStateChanged, CallEnded, CallOutcome, VoicemailLeft
from pbx.ari.client import AriRest
from pbx.calls.live import CallState, LiveCall
from pbx.calls.media_leg import close_media_leg
from pbx.calls.protocols import Publish
from pbx.calls.registry import CallRegistry

log = logging.getLogger(__name__)


def final_outcome(call: LiveCall) -> tuple[CallOutcome, str]:
    """(outcome, detail) of an answered call whose line went down."""
    if call.state is CallState.LEAVING_MESSAGE:
        return (CallOutcome.VOICEMAIL, "answering machine; message left")
    if call.state is CallState.SCREENING:
        return (CallOutcome.HUNG_UP, "hung up during answering-machine detection")
    if call.state is CallState.AFTER_HOURS:
        return (CallOutcome.AFTER_HOURS, call.after_hours)
    if call.transfer is not None:
        return (CallOutcome.ESCALATED, call.transfer.reason)
    if call.hangup_outcome is not None:
        outcome, detail = call.hangup_outcome
        return (outcome or CallOutcome.HUNG_UP, detail)
    if call.conversation is not None:
        outcome, detail = call.conversation.outcome
        return (outcome or CallOutcome.HUNG_UP, detail)
    return (CallOutcome.HUNG_UP, "")


class CallEnding:
    def __init__(self, rest: AriRest, publish: Publish, registry: CallRegistry) -> None:
        self._rest = rest
        self._publish = publish
        self._registry = registry

    async def end(self, call: LiveCall, outcome: CallOutcome, cause: str = "", detail: str = "") -> None:
        """Once per call: stop its jobs, players, media and conversation, then say how it ended."""
        if call.state is CallState.ENDED:
            return
        call.state = CallState.ENDED
        call.cancel_tasks()
        for player in call.players:
            player.close()
        if call.media is not None:
            leg, call.media = call.media, None
            await close_media_leg(self._rest, leg)
        if call.conversation is not None:
            try:
                await call.conversation.close()
            except Exception:
                log.exception("call %s: conversation close failed", call.call_id)
        if call.voicemail_file:  # an inbound caller given voicemail: where the message is, for whoever calls back
            route = call.route
            await self._publish(VoicemailLeft(
                call_id=call.call_id, caller=call.caller, did=call.did, path=f"{call.voicemail_file}.wav",
                queue=route.escalation_queue if route else "", campaign_id=route.campaign_id if route else None,
            ))  # fmt: skip
        await self._publish(CallEnded(call_id=call.call_id, outcome=outcome, cause=cause, detail=detail))
        transfer = call.transfer
        if transfer is not None and transfer.direct_agent:
            # A reserved agent's Dial (not Queue()): no AgentComplete follows, the agent is free
            # again. Here, not on AMI's Hangup only: ARI's ChannelDestroyed may end the call first.
            await self._publish(AgentStateChanged(agent=transfer.direct_agent, state=AgentState.AVAILABLE,
                                                  queue=transfer.queue, call_id=call.call_id))  # fmt: skip
        self._registry.remove(call)
