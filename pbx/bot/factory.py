"""Build a BotConversation for each answered call from its originate command."""

from __future__ import annotations

from pbx.bot.context import CallSetupError, monitor_context, resolve_flow
from pbx.bot.conversation import BotCallSpec, BotConversation
from pbx.calls.live import LiveCall
from voicewatch import Policy, PolicyError
from workers.live import LiveSpeech
from workers.tts.service import PromptSynthesizer


class BotConversationFactory:
    def __init__(self, speech: LiveSpeech, tts: PromptSynthesizer, inbound_flow: str = "order_confirmation",
                 default_queue: str = "support") -> None:  # fmt: skip
        self._speech = speech
        self._tts = tts
        self._inbound_flow = inbound_flow
        self._default_queue = default_queue

    def __call__(self, call: LiveCall) -> BotConversation:
        command = call.command
        lead = dict(command.lead) if command else {}
        language = lead.get("language", "")
        flow = resolve_flow(command.flow if command else self._inbound_flow, language)
        try:
            policy = Policy.coerce(command.policy or None) if command else Policy.default()
        except PolicyError as exc:
            raise CallSetupError(f"policy: {exc}") from None
        spec = BotCallSpec(
            call_id=call.call_id,
            flow=flow,
            lead=lead,
            policy=policy,
            context=monitor_context(lead, campaign=flow.name),
            escalation_queue=command.escalation_queue if command else self._default_queue,
        )
        return BotConversation(spec, self._speech, self._tts)
