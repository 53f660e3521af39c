"""Build a BotConversation for each answered call from its originate command, and get its
prompts ready while it rings (:meth:`BotConversationFactory.prepare`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pbx.api import OriginateCall
from pbx.bot.context import CallSetupError, monitor_context, resolve_flow
from pbx.bot.conversation import BotCallSpec, BotConversation, Speech
from pbx.bot.presynthesis import PromptPreparer
from pbx.calls.live import LiveCall
from voicewatch import Policy, PolicyError
from workers.tts.service import PromptSynthesizer

log = logging.getLogger(__name__)


class BotConversationFactory:
    def __init__(self, speech: Speech, tts: PromptSynthesizer, default_queue: str = "support",
                 preparer: PromptPreparer | None = None,
                 on_turn: Callable[[float], None] | None = None) -> None:  # fmt: skip
        """``on_turn``: told each bot turn's latency (``pbx.metrics``' cc_bot_turn_latency_seconds)."""
        self._speech = speech
        self._on_turn = on_turn
        self._tts = tts
        self._default_queue = default_queue
        self._preparer = preparer

    def prepare(self, command: OriginateCall) -> None:
        """pbx is about to dial this lead: synthesise what the bot may say to them, in the background."""
        if self._preparer is None:
            return
        lead = dict(command.lead)
        try:
            flow = resolve_flow(command.flow, lead.get("language", ""))
            self._preparer.prepare_call(flow, lead)
        except CallSetupError:
            return  # the call will go to a human when answered, and say why then
        except Exception:  # a prompt not made ahead is made when said: never fail the dialled call for it
            log.exception("call %s: its prompts could not be planned", command.call_id)
            return
        if safe_harbour := command.variables.get("CC_SAFE_HARBOUR", ""):
            self._preparer.prepare_phrases([safe_harbour], depth=2)

    def __call__(self, call: LiveCall) -> BotConversation:
        source = call.command or call.route
        if source is None:
            raise CallSetupError("no route for this inbound number: a human takes the call")
        lead = dict(source.lead)
        flow = resolve_flow(source.flow, lead.get("language", ""))
        try:
            policy = Policy.coerce(source.policy or None)
        except PolicyError as exc:
            raise CallSetupError(f"policy: {exc}") from None
        spec = BotCallSpec(
            call_id=call.call_id,
            flow=flow,
            lead=lead,
            policy=policy,
            context=monitor_context(lead, campaign=flow.name),
            escalation_queue=source.escalation_queue or self._default_queue,
            safe_harbour=call.command.variables.get("CC_SAFE_HARBOUR", "") if call.command else "",
            campaign_id=source.campaign_id,
            lead_id=call.command.lead_id if call.command else None,
        )
        return BotConversation(spec, self._speech, self._tts, self._on_turn)
