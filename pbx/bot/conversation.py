"""The AI agent on one call.

Caller audio → VAD (barge-in, no-input timers) → ASR + prosody + sentiment (the workers'
in-process live path) → VoiceWatch (escalate?) and the dialog flow (what to say next) →
TTS → the caller. VoiceWatch sees every partial and final utterance before the dialog does,
so a call that goes wrong is handed over instead of answered.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from asterisk_config.music import Opening
from pbx.aio import BackgroundTasks
from pbx.api import CallOutcome, DecisionMade, HandoverReason, UtteranceHeard
from pbx.bot.phrases import NO_AGENT_PHRASE, OPENING_PHRASES, whisper_text
from pbx.bot.risk import CallOfRisk, RiskWatch
from pbx.bot.speaking import prompt_pieces
from pbx.bot.turn_timing import TurnClock
from pbx.calls.protocols import CallIO
from pbx.dialog import DialogSession, Escalate, Flow, Hangup, Listen, Say, SetOutcome
from pbx.media.echo import EchoGuard, rms
from voicewatch import CallMonitor, Decision
from workers.asr.pipeline import UtteranceResult
from workers.assessment import UtteranceAssessment
from workers.live import CallSession, LiveSpeech
from workers.remote.client import MONITOR_BLIND, RemoteLiveSpeech
from workers.remote.session import RemoteCallSession
from workers.tts.service import PromptSynthesizer
from workers.turn_end import COMPLETE_AFTER_S, UNFINISHED_HOLD_S, TurnEnd, classify
from workers.vad import TAIL_MS, SpeechResumed, SpeechStarted, Utterance

log = logging.getLogger(__name__)

Speech = LiveSpeech | RemoteLiveSpeech  # in pbx, or on the speech workers (CC_SPEECH_MODE)


@dataclass(frozen=True)
class BotCallSpec:
    call_id: str
    flow: Flow
    lead: dict[str, str]
    policy: Any
    context: dict[str, Any]
    escalation_queue: str
    safe_harbour: str = ""  # said when a call cannot get the human it was promised
    campaign_id: int | None = None  # for call.at_risk (pre-alert), so an agent sees whose call it is
    lead_id: int | None = None


class BotConversation:
    def __init__(self, spec: BotCallSpec, speech: Speech, tts: PromptSynthesizer,
                 on_turn: Callable[[float], None] | None = None) -> None:  # fmt: skip
        """``on_turn``: each reply's latency from the end of the caller's speech (``TurnClock``)."""
        self.spec = spec
        self._speech = speech
        self._tts = tts
        self._dialog = DialogSession(spec.flow, spec.lead)
        self._monitor = CallMonitor(spec.policy, spec.context)
        self._risk = RiskWatch(self._monitor.policy, CallOfRisk(spec.call_id, spec.escalation_queue, spec.campaign_id,
                                                                spec.lead_id))  # fmt: skip
        self._io: CallIO | None = None
        self._session: CallSession | RemoteCallSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._turn_lock = asyncio.Lock()
        self._current_say: Say | None = None
        self._no_input: asyncio.TimerHandle | None = None
        self._listen_started: float | None = None
        self._listen_started_mono: float | None = None
        self._audio_s = 0.0  # seconds of caller audio heard so far (20 ms a frame)
        self._outcome: tuple[str, str] = ("", "")
        self._handed_over = False
        self._closed = False
        self._echo = EchoGuard()
        # An unfinished final ("umm", "and…") waiting for the rest of the turn (text, timer, confidence).
        self._held: tuple[str, asyncio.TimerHandle, float] | None = None
        self._merge_prefix = ""
        # A complete answer heard at a pause (the speculative guess), taken as the turn after
        # COMPLETE_AFTER_S of silence unless the caller goes on (utterance id, timer).
        self._early: tuple[str, asyncio.TimerHandle] | None = None
        self._answered_early: str | None = None  # its final must not be answered twice
        self._tasks = BackgroundTasks(f"call {spec.call_id} bot")
        self._turn = TurnClock(spec.call_id, on_turn)

    # ------------------------------------------------------------ Conversation protocol

    async def start(self, io: CallIO) -> None:
        self._io = io
        self._loop = asyncio.get_running_loop()
        self._session = self._speech.open_call(self.spec.call_id, io.sample_rate, "slin16le", self._from_asr_thread)
        io.on_output(self._on_output)
        await self._execute(self._dialog.start())

    def on_audio(self, samples: np.ndarray) -> None:
        if self._session is None or self._closed:
            return
        self._audio_s += len(samples) / (self._io.sample_rate if self._io else 8000)
        io = self._io
        if io is not None and io.playing and self._echo.barge_in(samples):
            self._barge_in()
        for event in self._session.feed_samples(samples):
            if isinstance(event, SpeechStarted):
                self._on_speech_started()
            elif isinstance(event, Utterance):
                self._turn.speech_ended(self._audio_s - self._last_voice_s(event.end_s))
                self._turn.caller("heard")
            elif isinstance(event, SpeechResumed):
                self._cancel_early()  # "Yes, …": the caller goes on after the pause

    def on_dtmf(self, digit: str) -> None:
        self._spawn(self._execute(self._dialog.on_dtmf(digit)))

    async def on_queue_timeout(self, queue: str, status: str) -> None:
        # The bot only says goodbye now: _handed_over stays set, so nothing heard meanwhile (the
        # late final of the sentence that escalated, sticky in VoiceWatch) escalates it again.
        self._outcome = (CallOutcome.CALLBACK, f"no agent answered in {queue} ({status})")
        # The campaign's safe-harbour message when it has one (regulators prescribe its wording).
        try:
            await self._say_text(self.spec.safe_harbour or NO_AGENT_PHRASE, barge_in=False)
        except Exception as exc:  # the call still ends: the line must not stay open in silence
            log.error("call %s: goodbye not said (%s)", self.spec.call_id, exc)
        if self._io is not None:
            await self._io.hangup(*self._outcome)

    @property
    def outcome(self) -> tuple[str, str]:
        return self._outcome

    async def close(self) -> None:
        self._closed = True
        self._cancel_no_input()
        if self._held is not None:
            self._held[1].cancel()
        self._cancel_early()
        self._tasks.cancel_all()
        if self._session is not None:
            self._session.close()

    # ------------------------------------------------------------ listening

    def _on_speech_started(self) -> None:
        self._cancel_no_input()
        self._cancel_early()
        if self._held is not None:
            # The caller went on after "umm" or "and…": it was not the end of their turn.
            self._held[1].cancel()
            self._merge_prefix = self._held[0]
            self._held = None

    def _cancel_early(self) -> None:
        if self._early is not None:
            self._early[1].cancel()
            self._early = None

    def _barge_in(self) -> None:
        """The caller talks over the prompt (louder than its echo could be): the bot stops."""
        io = self._io
        if io is not None and self._current_say is not None and self._current_say.barge_in_allowed:
            io.stop_playback()
            self._spawn(self._execute(self._dialog.on_barge_in()))

    def _from_asr_thread(self, assessment: UtteranceAssessment, result: UtteranceResult | None) -> None:
        if self._loop is not None and not self._closed:
            speculative = result is not None and result.speculative
            self._loop.call_soon_threadsafe(self._spawn, self._on_assessment(assessment, speculative))

    async def _on_assessment(self, assessment: UtteranceAssessment, speculative: bool = False) -> None:
        if self._handed_over or self._closed or self._io is None:
            return
        if assessment.error == MONITOR_BLIND:
            await self._unheard(assessment)
            return
        if assessment.error:
            log.warning("call %s: ASR error: %s", self.spec.call_id, assessment.error)
        if assessment.is_final:
            self._turn.caller("understood")
        text = assessment.text.strip()
        event = assessment.voicewatch_event()
        if assessment.is_final and self._listen_started is not None:
            event["silence_before_s"] = max(0.0, round(assessment.start_s - self._listen_started, 2))
        if assessment.is_final:
            await self._io.publish(UtteranceHeard(
                call_id=self.spec.call_id, utterance_id=assessment.utterance_id, speaker="customer", text=text,
                final=True, confidence=assessment.asr_confidence, sentiment=assessment.sentiment,
                start_ms=int(assessment.start_s * 1000), end_ms=int(assessment.end_s * 1000),
                prosody=event.get("prosody"), silence_before_s=event.get("silence_before_s"),
            ))  # fmt: skip
        if not text:
            return
        decision = self._monitor.observe(event)
        if assessment.is_final or decision.escalate:
            await self._publish_decision(decision)
        if (at_risk := self._risk.after(decision)) is not None:  # pre-alert (pbx.bot.risk)
            await self._io.publish(at_risk)
        if decision.escalate:
            await self._hand_over(decision.queue or self.spec.escalation_queue, decision.reason or "voicewatch",
                                  decision.score, decision.explanation)  # fmt: skip
            return
        confidence = assessment.asr_confidence if assessment.asr_confidence is not None else 1.0
        uid = assessment.utterance_id
        assert self._loop is not None
        if not assessment.is_final:
            if speculative and uid != self._answered_early and classify(text) is TurnEnd.COMPLETE:
                # "Yes." at a pause: the turn is over once the silence has lasted COMPLETE_AFTER_S
                # (on the caller's audio clock: the pause was seen TAIL_MS after the last word).
                wait = assessment.end_s - TAIL_MS / 1000 + COMPLETE_AFTER_S - self._audio_s
                self._cancel_early()
                timer = self._loop.call_later(max(0.0, wait), self._take_early, uid, text, confidence,
                                              assessment.end_s)  # fmt: skip
                self._early = (uid, timer)
            return
        if uid == self._answered_early:
            return  # answered on its guess already: the final says the same
        self._cancel_early()
        if self._merge_prefix:
            text, self._merge_prefix = f"{self._merge_prefix} {text}", ""
        if classify(text) is TurnEnd.UNFINISHED:
            # "Umm" or "and…" then silence: wait a moment before answering, in case more follows.
            timer = self._loop.call_later(UNFINISHED_HOLD_S, self._release_held)
            self._held = (text, timer, confidence)
            return
        await self._execute(self._dialog.on_utterance(text, confidence))

    async def _unheard(self, assessment: UtteranceAssessment) -> None:
        """Nothing recognised what the caller said in time (speech workers down or late): VoiceWatch's
        monitor_blind. The bot hands over and Asterisk tells the caller it cannot hear them while
        agents already ring (nothing said delays the join); it never answers words it did not hear."""
        waited = max(0.0, round(self._audio_s - assessment.end_s, 2))  # since the caller stopped talking
        decision = self._monitor.observe({"type": "unheard", "waited_s": waited, "detail": "no speech reply"})
        await self._publish_decision(decision)
        if decision.escalate:
            await self._hand_over(decision.queue or self.spec.escalation_queue, decision.reason or MONITOR_BLIND,
                                  decision.score, decision.explanation, Opening.UNHEARD)  # fmt: skip
        else:  # this policy keeps the bot: it asks again rather than wait in silence
            await self._execute(self._dialog.on_no_input())

    def _take_early(self, utterance_id: str, text: str, confidence: float, end_s: float) -> None:
        self._early = None
        self._answered_early = utterance_id
        # The turn ends here, its words already known (the guess): both marks at once.
        self._turn.speech_ended(self._audio_s - self._last_voice_s(end_s))
        self._turn.caller("heard")
        self._turn.caller("understood")
        if self._merge_prefix:
            text, self._merge_prefix = f"{self._merge_prefix} {text}", ""
        self._spawn(self._execute(self._dialog.on_utterance(text, confidence)))

    @staticmethod
    def _last_voice_s(end_s: float) -> float:
        """The caller's last voiced audio in a segment ending at ``end_s`` (the VAD keeps TAIL_MS after it)."""
        return end_s - TAIL_MS / 1000

    def _release_held(self) -> None:
        if self._held is not None:
            text, _, confidence = self._held
            self._held = None
            self._spawn(self._execute(self._dialog.on_utterance(text, confidence)))

    async def _publish_decision(self, decision: Decision) -> None:
        assert self._io is not None
        await self._io.publish(DecisionMade(
            call_id=self.spec.call_id, turn=decision.turn, escalate=decision.escalate, reason=decision.reason,
            score=decision.score, queue=decision.queue, explanation=decision.explanation,
        ))  # fmt: skip

    def _on_no_input(self) -> None:
        self._no_input = None
        silence = time.monotonic() - (self._listen_started_mono or time.monotonic())
        decision = self._monitor.observe({"type": "silence", "duration_s": round(silence, 2)})
        if decision.escalate:
            self._spawn(self._hand_over(decision.queue or self.spec.escalation_queue, decision.reason or "silence",
                                        decision.score, decision.explanation))  # fmt: skip
        else:
            self._spawn(self._execute(self._dialog.on_no_input()))

    def _cancel_no_input(self) -> None:
        if self._no_input is not None:
            self._no_input.cancel()
            self._no_input = None

    # ------------------------------------------------------------ acting

    async def _execute(self, actions: list) -> None:
        # One turn at a time: a barge-in's actions wait until the interrupted turn has unwound.
        async with self._turn_lock:
            for action in actions:
                if self._handed_over or self._closed:
                    return
                if isinstance(action, Say):
                    self._current_say = action
                    said = await self._said(action.text, action.barge_in_allowed)
                    self._current_say = None
                    if not said:
                        return
                elif isinstance(action, Listen):
                    self._listen_started = self._audio_s  # on the caller's audio clock, as ASR timings are
                    self._listen_started_mono = time.monotonic()
                    self._cancel_no_input()
                    assert self._loop is not None
                    self._no_input = self._loop.call_later(action.timeout_s, self._on_no_input)
                elif isinstance(action, SetOutcome):
                    self._outcome = (str(action.outcome.value if hasattr(action.outcome, "value") else action.outcome),
                                     action.detail or "")  # fmt: skip
                elif isinstance(action, Escalate):
                    reason = str(action.reason.value if hasattr(action.reason, "value") else action.reason)
                    await self._hand_over(self.spec.escalation_queue, reason, 1.0, action.detail or reason)
                elif isinstance(action, Hangup):
                    outcome = str(action.outcome.value if hasattr(action.outcome, "value") else action.outcome)
                    if not self._outcome[0]:
                        self._outcome = (outcome, "")
                    assert self._io is not None
                    await self._io.hangup(*self._outcome)  # the call's outcome: what the flow settled on
                # CaptureSlot needs nothing here: the dialog session keeps the slots it captured.

    async def _said(self, text: str, barge_in: bool) -> bool:
        """Say ``text``; if its audio cannot be made (TTS failing, the disk full under its
        cache), the caller goes to a human at once rather than into silence."""
        try:
            await self._say_text(text, barge_in)
            return True
        except Exception as exc:
            log.error("call %s: the bot cannot say its prompt (%s); handing over", self.spec.call_id, exc)
            await self._hand_over(self.spec.escalation_queue, HandoverReason.MEDIA_UNAVAILABLE, 1.0,
                                  f"The AI could not speak: {exc}")  # fmt: skip
            return False

    async def _say_text(self, text: str, barge_in: bool) -> None:
        io = self._io
        assert io is not None
        self._monitor.observe({"type": "bot", "text": text})
        self._turn.bot("decided")
        # Pre-synthesised prompts come from memory in one piece; others start playing with their
        # first sentence while the rest is synthesised (pbx.bot.speaking).
        await io.play_stream(self._announced(text, prompt_pieces(self._tts, text, io.sample_rate)))

    async def _announced(self, text: str, pieces: AsyncIterator[np.ndarray]) -> AsyncIterator[np.ndarray]:
        """``pieces``, the bot's utterance published as its first audio is ready (when the caller hears it)."""
        first = True
        async for piece in pieces:
            if first:
                first = False
                self._turn.bot("voiced")
                assert self._io is not None
                await self._io.publish(UtteranceHeard(
                    call_id=self.spec.call_id, utterance_id=str(uuid.uuid4()), speaker="bot", text=text,
                    start_ms=int(self._audio_s * 1000)))  # fmt: skip
            yield piece

    def _on_output(self, frame: np.ndarray | None) -> None:
        if frame is None:
            self._echo.on_silence_out()
            return
        self._echo.on_output(rms(frame))
        self._turn.frame_sent()

    async def _hand_over(self, queue: str, reason: str, score: float, explanation: str,
                         opening: Opening = Opening.BRIDGE) -> None:  # fmt: skip
        """``opening``: what the caller hears first in the queue (why the bot hands over)."""
        if self._handed_over or self._io is None:
            return
        self._handed_over = True
        decided_at = time.time()
        self._cancel_no_input()
        self._io.stop_playback()
        self._outcome = (CallOutcome.ESCALATED, reason)
        # Into the queue at once: agents ring while the caller hears the opening line (the
        # queue's music opens with it, asterisk_config.music), so nothing said delays the join.
        await self._io.escalate(queue, reason, score, whisper_text(reason, self.spec.lead), decided_at, opening)
        # The transcript shows what the caller heard, said by Asterisk for the bot.
        await self._io.publish(UtteranceHeard(call_id=self.spec.call_id, utterance_id=str(uuid.uuid4()), speaker="bot",
                                              text=OPENING_PHRASES[opening], start_ms=int(self._audio_s * 1000)))  # fmt: skip

    def _spawn(self, coro) -> asyncio.Task:
        return self._tasks.spawn(coro)
