"""ARI events to the job that handles them: the engine's handler table.

Its keys are also the ARI event filter pbx sets on its application (``PbxService``), so an
event type nobody handles is never sent, and a handler added here is never filtered away.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from pbx.api import HandoverReason
from pbx.ari.client import AriRest
from pbx.ari.events import AriEvent
from pbx.calls.answering import AnsweringMachines
from pbx.calls.bot_link import BotLink
from pbx.calls.channels import hang_up, to_failsafe
from pbx.calls.ending import CallEnding, final_outcome
from pbx.calls.escalation import Escalation
from pbx.calls.inbound import InboundCalls
from pbx.calls.live import CallState, LiveCall
from pbx.calls.origination import Origination
from pbx.calls.outcomes import unanswered_outcome
from pbx.calls.registry import CallRegistry
from pbx.calls.stasis_args import (
    AmdVerdict,
    Inbound,
    QueueReturned,
    StasisArgs,
    Unrecognised,
    parse_stasis_args,
)
from pbx.calls.supervision import is_supervision_channel

log = logging.getLogger(__name__)

AriHandler = Callable[[AriEvent], Awaitable[None]]


class AriEventHandlers:
    def __init__(self, rest: AriRest, registry: CallRegistry, origination: Origination, bot: BotLink,
                 answering: AnsweringMachines, escalation: Escalation, ending: CallEnding,
                 inbound: InboundCalls) -> None:  # fmt: skip
        self._rest = rest
        self._registry = registry
        self._origination = origination
        self._bot = bot
        self._answering = answering
        self._escalation = escalation
        self._ending = ending
        self._inbound = inbound

    def table(self) -> dict[str, AriHandler]:
        """ARI event type -> its handler."""
        return {
            "StasisStart": self.stasis_start,
            "StasisEnd": self.stasis_end,
            "ChannelDtmfReceived": self.dtmf_received,
            "ChannelHangupRequest": self.hangup_requested,
            "ChannelDestroyed": self.channel_destroyed,
        }

    async def stasis_start(self, event: AriEvent) -> None:
        """A channel entered our app: a media leg ready to bridge, or a caller with its Stasis() arguments."""
        channel_id = event.channel_id or ""
        if not channel_id:
            log.warning("StasisStart without a channel id ignored")
            return
        leg = self._registry.media.get(channel_id)
        if leg is not None:
            leg.ready.set()
            return
        args = parse_stasis_args(event.args)
        call = self._registry.by_channel(channel_id)
        if call is not None and not _expected_entry(call, args):
            # A redelivered or stale StasisStart: acting on it again would answer twice or
            # open a second media leg. The call carries on as it is.
            log.info("call %s: StasisStart %s ignored in state %s", call.call_id, event.args, call.state.value)
            return
        if call is not None and isinstance(args, QueueReturned):
            straight_to_queue = call.straight_to_queue
            await self._escalation.returned_from_queue(call, args)
            if straight_to_queue:  # no bot to go back to
                await self._inbound.unanswered(call)
            else:
                call.spawn(self._bot.resume_after_queue(call, args.queue, args.status))
            return
        if call is not None and isinstance(args, AmdVerdict):
            await self._answering.screened(call, args)
            return
        if call is None:
            if is_supervision_channel(channel_id):
                # A supervisor's leg or snoop whose supervision already ended: never a caller.
                await hang_up(self._rest, channel_id)
                return
            if not isinstance(args, Inbound):
                # Not ours (a call from before a restart that reconcile has not seen): to a human.
                await to_failsafe(self._rest, channel_id, HandoverReason.ORPHAN)
                return
            call = await self._origination.inbound(channel_id, args, event.caller_number)
            if await self._inbound.arrived(call):
                return  # to its queue, or the business is closed
        if call.state is CallState.DIALING:
            # Asterisk's time of the answer: pbx may see the event a moment later under load.
            call.answered_at = call.answered_at or event.at or time.time()
            if call.screens_machines:
                await self._answering.screen(call)
                return
        await self._bot.answer(call)

    async def stasis_end(self, event: AriEvent) -> None:
        call = self._registry.by_channel(event.channel_id)
        if call is not None and call.state is CallState.WITH_BOT:
            # Hung up while with the bot. Our app stops hearing about a channel once it leaves
            # Stasis, so this, not ChannelDestroyed, is the last word on such a call.
            outcome, detail = final_outcome(call)
            await self._ending.end(call, outcome, cause=call.hangup_cause, detail=detail)

    async def dtmf_received(self, event: AriEvent) -> None:
        call = self._registry.by_channel(event.channel_id)
        if call is not None and call.conversation is not None and call.state is CallState.WITH_BOT:
            call.conversation.on_dtmf(event.digit)

    async def hangup_requested(self, event: AriEvent) -> None:
        call = self._registry.by_channel(event.channel_id)
        if call is not None and event.cause is not None:
            call.hangup_cause = str(event.cause)

    async def channel_destroyed(self, event: AriEvent) -> None:
        channel_id = event.channel_id or ""
        if self._registry.pop_media(channel_id) is not None:
            return
        call = self._registry.by_channel(channel_id)
        if call is None or call.state is CallState.ENDED:
            return
        cause = "" if event.cause is None else str(event.cause)  # not "None" in the ledger
        if call.answered_at is None:
            await self._ending.end(call, unanswered_outcome(event.cause), cause=cause)
        else:
            outcome, detail = final_outcome(call)
            await self._ending.end(call, outcome, cause=cause, detail=detail)


def _expected_entry(call: LiveCall, args: StasisArgs | Unrecognised) -> bool:
    """Whether a known call entering our app with ``args`` is news: back from a queue it was
    sent to, back from the AMD() it was screening in, or answered while still dialling."""
    if isinstance(args, QueueReturned):
        return call.transfer is not None
    if isinstance(args, AmdVerdict):
        return call.state is CallState.SCREENING
    return call.state is CallState.DIALING
