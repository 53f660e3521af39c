"""The call engine: routes ARI events and commands to live calls.

One instance per pbx process. It is the only place that creates or moves channels; what is
said on a call is the ``Conversation``'s business.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import numpy as np

from pbx.api import (
    CallAnswered,
    CallEnded,
    CallEscalated,
    CallStarted,
    Command,
    Event,
    HangupCall,
    InboundRoute,
    OriginateCall,
    QueueEvent,
    SupervisorTakeover,
    TransferCall,
    new_id,
)
from pbx.ami_listener import AmiEvent
from pbx.ari.client import AriError, AriRest
from pbx.ari.events import AriEvent
from pbx.calls.protocols import Conversation
from pbx.calls.live import CallState, LiveCall, MediaLeg, Transfer
from pbx.calls.media_leg import MediaSetupError, close_media_leg, open_media_leg
from pbx.calls.outcomes import unanswered_outcome
from pbx.media.codec import MediaFormat
from pbx.media.player import PromptPlayer
from pbx.media.reframe import Reframer

log = logging.getLogger(__name__)

# Longer than a jitter burst, shorter than any pause that matters for end-of-speech.
MEDIA_GAP_S = 0.08

# Answered calls the dialplan holds for a while (not in Stasis, not escalated).
_IN_DIALPLAN = (CallState.SCREENING, CallState.LEAVING_MESSAGE)

# Command variables that are settings for pbx itself (read from the command, never by the
# dialplan): kept off the channel, where each would be one more ChannelVarset for Asterisk to
# publish on every call (the safe-harbour text is a sentence long).
PBX_ONLY_VARIABLES = frozenset({"CC_SAFE_HARBOUR", "CC_AMD", "CC_AMD_ACTION", "CC_VOICEMAIL_MESSAGE"})

ConversationFactory = Callable[[LiveCall], Conversation]
Publish = Callable[[Event], Awaitable[None]]
# (file name, text) -> the file Asterisk plays (no extension), or None
PromptFileMaker = Callable[[str, str], Awaitable[str | None]]


class CallEngine:
    def __init__(self, rest: AriRest, publish: Publish, app: str, conversations: ConversationFactory,
                 media_format: MediaFormat, failsafe_queue: str = "support",
                 prompt_files: PromptFileMaker | None = None,
                 inbound_routes: Callable[[str], Awaitable[InboundRoute | None]] | None = None,
                 dial_rest: AriRest | None = None) -> None:  # fmt: skip
        self.rest = rest
        # Originates on connections of their own (see PbxSettings.ari_dial_connections).
        self.dial_rest = dial_rest or rest
        self.inbound_routes = inbound_routes
        self.publish = publish
        self.app = app
        self.conversations = conversations
        self.media_format = media_format
        self.failsafe_queue = failsafe_queue
        self.prompt_files = prompt_files
        self._silent_frame = np.zeros(media_format.samples_per_frame, dtype=np.int16)
        self.calls: dict[str, LiveCall] = {}
        self._by_channel: dict[str, LiveCall] = {}  # caller channel id -> call
        self._media: dict[str, MediaLeg] = {}  # media channel id -> leg

    # ------------------------------------------------------------ commands

    async def handle_command(self, command: Command) -> None:
        if isinstance(command, OriginateCall):
            await self.originate(command)
        elif isinstance(command, (TransferCall, SupervisorTakeover)):
            call = self._require(command.call_id)
            queue = command.queue if isinstance(command, TransferCall) else command.supervisor_queue
            reason = command.reason if isinstance(command, TransferCall) else "supervisor_takeover"
            await self.escalate(call, queue, reason, 1.0, f"Transferred by request: {reason}")
        elif isinstance(command, HangupCall):
            call = self._require(command.call_id)
            await self._hangup_channel(call.channel_id)

    def _require(self, call_id: str) -> LiveCall:
        call = self.calls.get(call_id)
        if call is None or call.state is CallState.ENDED:
            raise LookupError(f"no live call {call_id}")
        return call

    async def originate(self, command: OriginateCall) -> None:
        if command.call_id in self.calls:
            return  # a redelivered command: the call already exists
        call = LiveCall(call_id=command.call_id, channel_id=command.call_id, direction="outbound", command=command)
        self.calls[call.call_id] = call
        self._by_channel[call.channel_id] = call
        variables = {"CC_CALL_ID": call.call_id,
                     **{k: v for k, v in command.variables.items() if k not in PBX_ONLY_VARIABLES}}  # fmt: skip
        await self.publish(CallStarted(call_id=call.call_id, direction="outbound", endpoint=command.endpoint,
                                       campaign_id=command.campaign_id, lead_id=command.lead_id,
                                       flow=command.flow if isinstance(command.flow, str) else command.flow.get("name", "")))  # fmt: skip
        try:
            await self.dial_rest.post(
                "channels", body={"variables": variables}, endpoint=command.endpoint, app=self.app,
                appArgs="outbound", callerId=command.caller_id or None, timeout=command.timeout_s,
                channelId=call.channel_id,
            )  # fmt: skip
        except AriError as exc:
            await self._end(call, "failed", cause=str(exc.status), detail=exc.message)

    # ------------------------------------------------------------ ARI events

    @classmethod
    def handled_event_types(cls) -> tuple[str, ...]:
        """The ARI event types this engine acts on (its ``_on_<Type>`` methods)."""
        return tuple(sorted(name[4:] for name in dir(cls) if name.startswith("_on_") and name[4:5].isupper()))

    async def on_event(self, event: AriEvent) -> None:
        log.debug("ARI %s channel=%s args=%s", event.type, event.channel_id, event.args)
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            await handler(event)

    async def _on_StasisStart(self, event: AriEvent) -> None:
        channel_id = event.channel_id or ""
        leg = self._media.get(channel_id)
        if leg is not None:
            leg.ready.set()
            return
        kind = event.args[0] if event.args else ""
        call = self._by_channel.get(channel_id)
        if kind == "queue-returned" and call is not None:
            await self._returned_from_queue(call, event)
            return
        if kind == "amd" and call is not None:
            await self._screened(call, event)
            return
        if call is None:
            if kind == "inbound":
                call = await self._inbound_call(event)
            else:
                # Not ours (a call from before a restart that reconcile has not seen): to a human.
                await self._to_failsafe(channel_id, "orphan")
                return
        if call.state is CallState.DIALING:
            # Asterisk's time of the answer: pbx may see the event a moment later under load.
            call.answered_at = call.answered_at or event.at or time.time()
        if call.screens_machines and call.state is CallState.DIALING:
            await self._screen(call)
            return
        await self._start_bot(call)

    async def _start_bot(self, call: LiveCall) -> None:
        call.state = CallState.WITH_BOT
        call.answered_at = call.answered_at or time.time()
        await self.publish(CallAnswered(call_id=call.call_id, amd=call.amd_verdict, at=call.answered_at))
        call.spawn(self._connect_bot(call))

    # ------------------------------------------------------------ answering machines

    async def _screen(self, call: LiveCall) -> None:
        """Let the dialplan's AMD() listen to the first seconds; the call comes back with its verdict."""
        call.state = CallState.SCREENING
        call.answered_at = call.answered_at or time.time()
        try:
            await self.rest.post(f"channels/{call.channel_id}/continue", context="cc-ai", extension="amd", priority=1)
        except AriError as exc:
            if exc.status == 404:
                await self._end(call, "hung_up", detail="hung up on answering")
                return
            # Talking to a machine for a while beats hanging up on a person.
            log.warning("call %s: cannot screen for a machine (%s); the bot answers", call.call_id, exc)
            await self._start_bot(call)

    async def _screened(self, call: LiveCall, event: AriEvent) -> None:
        verdict = (event.args[1] if len(event.args) > 1 else "").upper() or "NOTSURE"
        cause = event.args[2] if len(event.args) > 2 else ""
        call.amd_verdict = verdict
        log.info("call %s: AMD says %s (%s)", call.call_id, verdict, cause)
        if verdict == "MACHINE":
            await self._answering_machine(call, cause)
        else:  # HUMAN, and NOTSURE too: a person wrongly treated as a machine is a lost customer
            await self._start_bot(call)

    async def _answering_machine(self, call: LiveCall, cause: str) -> None:
        variables = call.command.variables if call.command is not None else {}
        message = variables.get("CC_VOICEMAIL_MESSAGE", "").strip()
        if variables.get("CC_AMD_ACTION") == "voicemail" and message and self.prompt_files is not None:
            try:
                path = await asyncio.wait_for(self.prompt_files(f"voicemail-{call.call_id}", message), 15.0)
            except Exception:
                log.exception("call %s: voicemail message could not be synthesised", call.call_id)
                path = None
            if path:
                call.state = CallState.LEAVING_MESSAGE
                try:
                    await self.rest.post(f"channels/{call.channel_id}/variable", variable="CC_VOICEMAIL_FILE", value=path)
                    await self.rest.post(f"channels/{call.channel_id}/continue", context="cc-ai", extension="voicemail",
                                         priority=1)  # fmt: skip
                    return  # ends when the machine's line goes down (ChannelDestroyed / AMI Hangup)
                except AriError as exc:
                    log.warning("call %s: voicemail message not left: %s", call.call_id, exc)
        # Settled before the hang-up, whose events would otherwise race in as a caller hang-up.
        await self._end(call, "voicemail", detail=f"answering machine ({cause}); no message left")
        await self._hangup_channel(call.channel_id)

    async def _inbound_call(self, event: AriEvent) -> LiveCall:
        did = event.args[1] if len(event.args) > 1 else ""
        route = await self.inbound_routes(did) if self.inbound_routes is not None else None
        call = LiveCall(call_id=new_id(), channel_id=event.channel_id or "", direction="inbound", command=None,
                        route=route)  # fmt: skip
        self.calls[call.call_id] = call
        self._by_channel[call.channel_id] = call
        flow = "" if route is None else route.flow if isinstance(route.flow, str) else route.flow.get("name", "")
        await self.publish(CallStarted(call_id=call.call_id, direction="inbound", endpoint=did, flow=flow,
                                       campaign_id=route.campaign_id if route else None))  # fmt: skip
        try:
            await self.rest.post(f"channels/{call.channel_id}/variable", variable="CC_CALL_ID", value=call.call_id)
        except AriError:
            pass
        return call

    async def _connect_bot(self, call: LiveCall) -> None:
        try:
            conversation = self.conversations(call)
        except Exception as exc:  # unknown flow, bad policy: a human takes the call rather than silence
            log.error("call %s: cannot start the bot (%s); handing it to a human", call.call_id, exc)
            queue = call.escalation_queue or self.failsafe_queue
            await self.escalate(call, queue, "bot_setup_failed", 1.0, f"The AI could not start: {exc}")
            return
        call.conversation = conversation
        call.reframer = Reframer(self.media_format.samples_per_frame)
        try:
            await self._open_media(call)
        except (AriError, MediaSetupError) as exc:
            log.error("call %s: media setup failed (%s); handing it to a human", call.call_id, exc)
            await self.escalate(call, self.failsafe_queue, "media_failure", 1.0, "The AI could not connect.")
            return
        io = _EngineIO(self, call)
        try:
            await conversation.start(io)
        except Exception:
            log.exception("call %s: conversation failed; handing it to a human", call.call_id)
            await self.escalate(call, self.failsafe_queue, "bot_failure", 1.0, "The AI failed on this call.")

    def _on_rtp(self, call: LiveCall, payload: bytes) -> None:
        call.last_audio_in = time.monotonic()
        if call.conversation is None or call.state is not CallState.WITH_BOT:
            return
        for frame in call.reframer.push(self.media_format.decode(payload)):
            self._hear(call, frame)

    def _hear(self, call: LiveCall, frame: np.ndarray) -> None:
        try:
            call.conversation.on_audio(frame)  # type: ignore[union-attr]
        except Exception:  # one bad frame must not stop the call's audio
            log.exception("call %s: listener failed on a frame", call.call_id)

    def _fill_gap(self, call: LiveCall) -> None:
        """No RTP for a while (silence suppression, a far end that only sends while talking):
        the listener hears silence, so an utterance can end and the no-input timer can run."""
        if call.conversation is None or call.state is not CallState.WITH_BOT:
            return
        if time.monotonic() - call.last_audio_in > MEDIA_GAP_S:
            for frame in call.reframer.flush():
                self._hear(call, frame)
            self._hear(call, self._silent_frame)

    async def _on_ChannelDtmfReceived(self, event: AriEvent) -> None:
        call = self._by_channel.get(event.channel_id or "")
        if call is not None and call.conversation is not None and call.state is CallState.WITH_BOT:
            call.conversation.on_dtmf(str(event.raw.get("digit", "")))

    async def _on_ChannelHangupRequest(self, event: AriEvent) -> None:
        call = self._by_channel.get(event.channel_id or "")
        if call is not None and event.raw.get("cause") is not None:
            call.hangup_cause = str(event.raw["cause"])

    async def _on_StasisEnd(self, event: AriEvent) -> None:
        call = self._by_channel.get(event.channel_id or "")
        if call is None:
            return
        if call.state is CallState.ESCALATING and call.transfer is not None:
            call.transfer.left_stasis_at = time.time()
        elif call.state is CallState.WITH_BOT:
            # Hung up while with the bot. Our app stops hearing about a channel once it leaves
            # Stasis, so this, not ChannelDestroyed, is the last word on such a call.
            outcome, detail = self._final_outcome(call)
            await self._end(call, outcome, cause=call.hangup_cause, detail=detail)

    async def _on_ChannelDestroyed(self, event: AriEvent) -> None:
        channel_id = event.channel_id or ""
        leg = self._media.pop(channel_id, None)
        if leg is not None:
            return
        call = self._by_channel.get(channel_id)
        if call is None or call.state is CallState.ENDED:
            return
        cause = event.raw.get("cause")
        if call.answered_at is None:
            await self._end(call, unanswered_outcome(cause), cause=str(cause))
        else:
            outcome, detail = self._final_outcome(call)
            await self._end(call, outcome, cause=str(cause), detail=detail)

    def _final_outcome(self, call: LiveCall) -> tuple[str, str]:
        if call.state is CallState.LEAVING_MESSAGE:
            return ("voicemail", "answering machine; message left")
        if call.state is CallState.SCREENING:
            return ("hung_up", "hung up during answering-machine detection")
        if call.transfer is not None:
            return ("escalated", call.transfer.reason)
        if call.conversation is not None:
            outcome, detail = call.conversation.outcome
            return (outcome or "hung_up", detail)
        return ("hung_up", "")

    # ------------------------------------------------------------ AMI (queue) events

    async def on_ami_event(self, event: AmiEvent) -> None:
        await self.on_queue_event(event.name, event.fields, event.variables)

    async def on_queue_event(self, name: str, fields: dict[str, str], variables: dict[str, str]) -> None:
        """Queue activity for calls we escalated, matched by the caller channel's unique id."""
        call = self._by_channel.get(fields.get("Uniqueid", "")) or self._by_channel.get(fields.get("Linkedid", ""))
        if call is None:
            return
        if name == "Hangup" and fields.get("Uniqueid") == call.channel_id and call.state in _IN_DIALPLAN:
            # Out of Stasis our app may not hear ChannelDestroyed; AMI always reports the hang-up.
            outcome, detail = self._final_outcome(call)
            await self._end(call, outcome, cause=fields.get("Cause", ""), detail=detail)
            return
        if call.transfer is None:
            return
        now = time.time()
        transfer = call.transfer
        if name == "QueueCallerJoin" and transfer.queue_joined_at is None:
            transfer.queue_joined_at = now
            call.state = CallState.QUEUED
        elif name == "AgentConnect":
            transfer.agent_connected_at = now
            transfer.agent = fields.get("MemberName", "")
            call.state = CallState.WITH_AGENT
        elif name == "Hangup" and fields.get("Uniqueid") == call.channel_id:
            await self._end(call, "escalated", cause=fields.get("Cause", ""), detail=transfer.reason)
            return
        await self.publish(QueueEvent(
            call_id=call.call_id, transfer_id=transfer.transfer_id, name=name, queue=fields.get("Queue", transfer.queue),
            channel=fields.get("Channel", ""), member=fields.get("MemberName", ""), reason=transfer.reason,
            wait_s=transfer.decision_to_queue_ms / 1000 if name == "QueueCallerJoin" and transfer.decision_to_queue_ms else None,
            transfer_s=transfer.transfer_to_queue_ms / 1000 if name == "QueueCallerJoin" and transfer.transfer_to_queue_ms else None,
        ))  # fmt: skip

    # ------------------------------------------------------------ escalation

    async def escalate(self, call: LiveCall, queue: str, reason: str, score: float, summary: str,
                       decided_at: float | None = None) -> None:  # fmt: skip
        """Move the caller into a human queue; the agent first hears ``summary``.

        The conversation plays its bridging phrase before calling this; from here the caller
        hears the queue's music until an agent answers, so there is no dead air.
        """
        if call.state in (CallState.ESCALATING, CallState.QUEUED, CallState.WITH_AGENT, CallState.ENDED):
            return
        call.state = CallState.ESCALATING
        now = time.time()
        call.transfer = Transfer(new_id(), queue, reason, score, decided_at or now, now)
        whisper_task = call.spawn(self.prompt_files(f"whisper-{call.call_id}", summary)) if self.prompt_files else None
        whisper_file = None
        if whisper_task is not None:
            try:
                whisper_file = await asyncio.wait_for(whisper_task, 3.0)
            except Exception:  # no summary is better than a caller left waiting
                log.warning("call %s: no whisper summary", call.call_id)
        variables = {
            "CC_FALLBACK_QUEUE": call.escalation_queue or self.failsafe_queue,
            "CC_ESCALATION_REASON": reason,
            "CC_ESCALATION_SCORE": f"{score:.2f}",
            "CC_WHISPER_FILE": whisper_file or "",
            # Inherited by the agent's channel: the console's screen-pop (X-CC-Summary header).
            "CC_ESCALATION_SUMMARY": summary,
        }
        try:
            for name, value in variables.items():
                await self.rest.post(f"channels/{call.channel_id}/variable", variable=name, value=value)
            if call.media is not None:
                leg, call.media = call.media, None
                await close_media_leg(self.rest, leg)
            await self.rest.post(f"channels/{call.channel_id}/continue", context="cc-queue", extension=queue, priority=1)
        except AriError as exc:
            log.error("call %s: escalation to %s failed: %s", call.call_id, queue, exc)
            if exc.status == 404:
                await self._end(call, "abandoned", detail="caller hung up during escalation")
                return
            raise
        await self.publish(CallEscalated(call_id=call.call_id, transfer_id=call.transfer.transfer_id, queue=queue,
                                         reason=reason, score=score, summary=summary,
                                         decided_at=call.transfer.decided_at))  # fmt: skip

    async def _returned_from_queue(self, call: LiveCall, event: AriEvent) -> None:
        queue = event.args[1] if len(event.args) > 1 else ""
        status = event.args[2] if len(event.args) > 2 else ""
        call.state = CallState.WITH_BOT
        transfer_id = call.transfer.transfer_id if call.transfer else ""
        call.transfer = None
        await self.publish(QueueEvent(call_id=call.call_id, transfer_id=transfer_id, name="QueueReturned",
                                      queue=queue, reason=status))  # fmt: skip

        async def resume() -> None:
            await self._connect_bot(call) if call.conversation is None else await self._open_media(call)
            if call.conversation is not None:
                await call.conversation.on_queue_timeout(queue, status)

        call.spawn(resume())

    async def _open_media(self, call: LiveCall) -> None:
        call.media = await open_media_leg(
            self.rest, self.app, call.channel_id, self.media_format,
            on_payload=lambda payload: self._on_rtp(call, payload),
            register=lambda leg: self._media.__setitem__(leg.channel_id, leg),
        )  # fmt: skip

    # ------------------------------------------------------------ reconnect

    async def reconcile(self) -> list[str]:
        """After (re)connecting: channels in our app we do not own go to a human queue."""
        try:
            app = await self.rest.get(f"applications/{self.app}")
        except AriError:
            return []
        handed_over = []
        for channel_id in app.get("channel_ids", []):
            if channel_id in self._by_channel or channel_id in self._media:
                continue
            try:
                channel = await self.rest.get(f"channels/{channel_id}")
            except AriError:
                continue
            if str(channel.get("name", "")).startswith("UnicastRTP/"):
                await self._hangup_channel(channel_id)  # a media leg of a call we lost
            elif channel.get("state") == "Up":
                await self._to_failsafe(channel_id, "pbx_restart")
                handed_over.append(channel_id)
            else:
                await self._hangup_channel(channel_id)
        for bridge_id in app.get("bridge_ids", []):
            if not any(leg.bridge_id == bridge_id for leg in self._media.values()):
                try:
                    await self.rest.delete(f"bridges/{bridge_id}")
                except AriError:
                    pass
        return handed_over

    async def _to_failsafe(self, channel_id: str, reason: str) -> None:
        try:
            await self.rest.post(f"channels/{channel_id}/variable", variable="CC_ESCALATION_REASON", value=reason)
            await self.rest.post(f"channels/{channel_id}/continue", context="cc-failsafe", extension="s", priority=1)
        except AriError as exc:
            log.warning("could not hand channel %s to a human: %s", channel_id, exc)

    async def _hangup_channel(self, channel_id: str) -> None:
        try:
            await self.rest.delete(f"channels/{channel_id}")
        except AriError as exc:
            log.info("hang-up of %s: %s", channel_id, exc)

    # ------------------------------------------------------------ end

    async def _end(self, call: LiveCall, outcome: str, cause: str = "", detail: str = "") -> None:
        if call.state is CallState.ENDED:
            return
        call.state = CallState.ENDED
        call.outcome = outcome
        call.cancel_tasks()
        for player in call.players:
            player.close()
        if call.media is not None:
            leg, call.media = call.media, None
            await close_media_leg(self.rest, leg)
        if call.conversation is not None:
            try:
                await call.conversation.close()
            except Exception:
                log.exception("call %s: conversation close failed", call.call_id)
        await self.publish(CallEnded(call_id=call.call_id, outcome=outcome, cause=cause, detail=detail))
        self._by_channel.pop(call.channel_id, None)
        self.calls.pop(call.call_id, None)

    def live_counts(self) -> dict[str, int]:
        counts = {state.value: 0 for state in CallState}
        for call in self.calls.values():
            counts[call.state.value] += 1
        return counts


class _EngineIO:
    """``CallIO`` for one call: RTP playback through its media leg, escalation and hang-up."""

    def __init__(self, engine: CallEngine, call: LiveCall) -> None:
        self._engine = engine
        self._call = call
        self.call_id = call.call_id
        self.sample_rate = engine.media_format.sample_rate
        self._output_listeners: list[Callable[[np.ndarray | None], None]] = []
        self._player = PromptPlayer(engine.media_format, self._send, on_frame=self._sent,
                                    on_tick=lambda: engine._fill_gap(call))  # fmt: skip
        self._player.run()
        call.players.append(self._player)

    def _send(self, packet: bytes) -> None:
        if self._call.media is not None:
            self._call.media.rtp.send(packet)

    def _sent(self, frame: np.ndarray | None) -> None:
        for listener in self._output_listeners:
            listener(frame)

    def on_output(self, listener: Callable[[np.ndarray | None], None]) -> None:
        self._output_listeners.append(listener)

    async def play(self, samples: np.ndarray) -> float:
        return await self._player.start(samples)

    def stop_playback(self) -> None:
        self._player.stop()

    @property
    def playing(self) -> bool:
        return self._player.playing

    async def escalate(self, queue: str, reason: str, score: float, summary: str,
                       decided_at: float | None = None) -> None:  # fmt: skip
        await self._engine.escalate(self._call, queue, reason, score, summary, decided_at)

    async def hangup(self, outcome: str, detail: str = "") -> None:
        # The outcome is read from the conversation when ChannelDestroyed arrives.
        log.info("call %s: bot hangs up (%s)", self.call_id, outcome)
        await self._engine._hangup_channel(self._call.channel_id)

    async def publish(self, event: Event) -> None:
        await self._engine.publish(event)
