"""The call engine: routes ARI events, AMI queue events and commands to live calls.

One instance per pbx process. It is the only place that creates or moves channels; what is
said on a call is the ``Conversation``'s business. This module wires the engine's jobs (one
a module, as wazo-calld lays out a plugin) and is the face pbx's service talks to:

- ``routing``: ARI events to the job that handles them (the handler table);
- ``origination``: calls dialled out and calls ringing in;
- ``inbound``: inbound routes straight to a queue, and the after-hours actions;
- ``bot_link`` and ``engine_io``: the bot on a call, its media leg and audio;
- ``answering``: answering-machine screening and voicemail;
- ``escalation``: to a human queue, and back when nobody answers;
- ``queue_tracking``: AMI queue events turned into pbx.api's domain events (``call.queued``, ...);
- ``reservations``: agents held for calls likely to escalate (pre-alert);
- ``reconcile``: channels left over from before a reconnect;
- ``ending``: the final outcome and clean-up of a call;
- ``supervision``, ``takeover``, ``agent_control``: supervisors listening, whispering and
  barging in (snoop channels), taking a call over by hand, pausing or logging out an agent.

Commands reach their job through ``_command_handlers``, a table by command type.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asterisk_config.music import Opening
from pbx.ami_listener import AmiEvent
from pbx.api import (
    Command,
    ForceAgentState,
    HangupCall,
    OriginateCall,
    ReserveAgent,
    StopSupervising,
    SuperviseCall,
    SupervisorTakeover,
    TransferCall,
)
from pbx.ari.client import AriRest
from pbx.ari.events import AriEvent
from pbx.calls.agent_control import AgentControl
from pbx.calls.answering import AnsweringMachines
from pbx.calls.bot_link import BotLink
from pbx.calls.channels import hang_up
from pbx.calls.ending import CallEnding
from pbx.calls.escalation import Escalation
from pbx.calls.inbound import Clock, InboundCalls, utc_now
from pbx.calls.live import LiveCall
from pbx.calls.origination import InboundRoutes, Origination
from pbx.calls.protocols import ConversationFactory, PreparesCalls, PromptFileMaker, Publish
from pbx.calls.queue_tracking import QueueTracking
from pbx.calls.reconcile import end_lost_calls, reconcile
from pbx.calls.registry import CallRegistry
from pbx.calls.reservations import AmiAction, Reservations
from pbx.calls.routing import AriEventHandlers
from pbx.calls.supervision import Supervision
from pbx.calls.takeover import Takeovers
from pbx.media.codec import MediaFormat

log = logging.getLogger(__name__)

CommandHandler = Callable[[Any], Awaitable[None]]


class CallEngine:
    def __init__(self, rest: AriRest, publish: Publish, app: str, conversations: ConversationFactory,
                 media_format: MediaFormat, failsafe_queue: str = "support",
                 prompt_files: PromptFileMaker | None = None, inbound_routes: InboundRoutes | None = None,
                 dial_rest: AriRest | None = None, clock: Clock = utc_now, ami: AmiAction | None = None) -> None:  # fmt: skip
        """``dial_rest``: originates on connections of their own (see PbxSettings.ari_dial_connections);
        ``ami``: sends AMI actions (pre-alert reservations pause agents; without it none is held)."""
        self._rest = rest
        self._app = app
        self.registry = CallRegistry()
        self.reservations = Reservations(self.registry, publish, ami)
        self.supervision = Supervision(rest, app, publish, self.registry)
        publish = self.supervision.watching(self.reservations.watching(publish))
        ending = CallEnding(rest, publish, self.registry)
        self._ending = ending
        self._escalation = Escalation(rest, publish, ending, failsafe_queue, prompt_files)
        takeovers = Takeovers(self.registry, self._escalation, self.supervision, publish)
        agents = AgentControl(ami, self.reservations, publish)
        bot = BotLink(rest, app, publish, conversations, media_format, self.registry, self._escalation.escalate,
                      failsafe_queue)  # fmt: skip
        prepare = conversations.prepare if isinstance(conversations, PreparesCalls) else None
        self._origination = Origination(rest, dial_rest or rest, app, publish, self.registry, ending, inbound_routes,
                                        prepare)  # fmt: skip
        self._queues = QueueTracking(self.registry, ending, publish)
        answering = AnsweringMachines(rest, ending, bot.answer, prompt_files)
        inbound = InboundCalls(rest, publish, self._escalation.escalate, ending, prompt_files, clock)
        self._ari_handlers = AriEventHandlers(rest, self.registry, self._origination, bot, answering,
                                              self._escalation, ending, inbound).table()  # fmt: skip
        self._command_handlers: dict[type, CommandHandler] = {
            OriginateCall: self.originate,
            TransferCall: self._transfer,
            HangupCall: self._hang_up,
            ReserveAgent: self.reservations.reserve,
            SuperviseCall: self.supervision.supervise,
            StopSupervising: self.supervision.stop,
            SupervisorTakeover: takeovers.take_over,
            ForceAgentState: agents.force,
        }

    @property
    def calls(self) -> dict[str, LiveCall]:
        return self.registry.calls

    def live_counts(self) -> dict[str, int]:
        return self.registry.live_counts()

    def inbound_waiting(self) -> dict[str, int]:
        return self.registry.inbound_waiting()

    def calls_by_direction(self) -> dict[str, dict[str, int]]:
        return self.registry.calls_by_direction()

    # ------------------------------------------------------------ commands

    async def handle_command(self, command: Command) -> None:
        await self._command_handlers[type(command)](command)

    async def _transfer(self, command: TransferCall) -> None:
        call = self.registry.live(command.call_id)
        await self.escalate(call, command.queue, command.reason, 1.0, f"Transferred by request: {command.reason}")

    async def _hang_up(self, command: HangupCall) -> None:
        await hang_up(self._rest, self.registry.live(command.call_id).channel_id)

    async def originate(self, command: OriginateCall) -> None:
        await self._origination.originate(command)

    async def escalate(self, call: LiveCall, queue: str, reason: str, score: float, summary: str,
                       decided_at: float | None = None, opening: Opening = Opening.BRIDGE) -> None:  # fmt: skip
        await self._escalation.escalate(call, queue, reason, score, summary, decided_at, opening)

    # ------------------------------------------------------------ events

    def handled_event_types(self) -> tuple[str, ...]:
        """The ARI event types this engine acts on: the keys of its handler table."""
        return tuple(sorted(self._ari_handlers))

    async def on_event(self, event: AriEvent) -> None:
        log.debug("ARI %s channel=%s args=%s", event.type, event.channel_id, event.args)
        if await self.supervision.on_ari_event(event):
            return  # a supervisor's leg or snoop, not a call's channel
        handler = self._ari_handlers.get(event.type)
        if handler is not None:
            await handler(event)

    async def on_ami_event(self, event: AmiEvent) -> None:
        await self._queues.on_ami_event(event)

    async def reconcile(self) -> list[str]:
        """After (re)connecting: channels in our app we do not own go to a human queue."""
        return await reconcile(self._rest, self._app, self.registry)

    async def end_lost_calls(self) -> list[str]:
        """After (re)connecting: our calls whose channel Asterisk no longer has (it restarted)
        end, each once, with the outcome of what they had come to."""
        return await end_lost_calls(self._rest, self.registry, self._ending, self._origination.in_flight)
