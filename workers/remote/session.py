"""One call's side of remote speech: VAD events out as jobs, workers' replies in as assessments.

The same decisions :mod:`workers.asr.speculative` and :class:`workers.live.CallSession` make
in-process, on replies instead of decodes: a guess at each pause, delivered as a speculative
partial and taken as the final when the VAD closes the utterance on the same audio; a partial
older than one already delivered, or than its utterance's final, is dropped; the caller's
prosody baseline comes from the latest final's reply and goes out with the next job.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from workers.asr.base import Transcript, Word
from workers.asr.pipeline import CallSpeechPipeline
from workers.asr.results import UtteranceResult, utterance_id
from workers.assessment import UtteranceAssessment
from workers.audio import Audio, AudioPayload, Encoding
from workers.live import AssessmentSink, FramedCallSession
from workers.prosody import CallerBaseline
from workers.remote.messages import JobKind, SpeechJob, SpeechReply
from workers.settings import VadSettings
from workers.vad import PartialSegment, SpeechDiscarded, SpeechPaused, SpeechResumed, Utterance, VadEvent

if TYPE_CHECKING:
    from workers.remote.client import RemoteLiveSpeech

log = logging.getLogger(__name__)

# The error of the assessment a sink gets for a final nobody answered in time: the caller is
# unheard (VoiceWatch's reason of the same name).
MONITOR_BLIND = "monitor_blind"


@dataclass(eq=False)
class SentJob:
    """A job waiting for its reply, with what the sink needs to hear about it."""

    job_id: str
    session: RemoteCallSession
    kind: JobKind
    index: int
    start_s: float
    end_s: float
    audio: Audio
    deadline: float  # Unix time, as the job says
    seq: int  # order of sending within the call: a reply older than one delivered is stale
    message: SpeechJob  # sent again, once, if an awaited job is unanswered by half its deadline
    cut: bool = False
    # Unanswered, the caller is unheard: a final, or the guess a final is waiting on.
    awaited: bool = False
    sent_mono: float = 0.0
    resent: bool = False


@dataclass(eq=False)
class _Guess:
    job_id: str
    pause: SpeechPaused
    assessment: UtteranceAssessment | None = None  # its reply, when it came first
    final: Utterance | None = None  # the VAD closed the utterance before the reply came
    closed_at: float = 0.0  # time.monotonic() when it did (the final's latency runs from there)


class _RemoteRecognition:
    """What :class:`CallSpeechPipeline` asks of a recognition: no engine here, the session decides."""

    streaming = False

    def __init__(self, session: RemoteCallSession, speculative: bool) -> None:
        self.speculative = speculative
        self._session = session

    def for_call(self, call_id: str, sample_rate: int, sink: object) -> RemoteCallSession:
        return self._session


class RemoteCallSession(FramedCallSession):
    def __init__(
        self,
        speech: RemoteLiveSpeech,
        call_id: str,
        sample_rate: int,
        encoding: Encoding,
        sink: AssessmentSink,
        vad: VadSettings | None,
        speculate: bool,
    ) -> None:
        self.call_id = call_id
        self._speech = speech
        self._sink = sink
        self._lock = threading.Lock()  # events come from the feeding thread, replies from the reader
        self._baseline = CallerBaseline()
        self._baseline_index = -1
        self._last_final = -1
        self._finals: set[int] = set()  # answered or given up on: a second reply is a redelivery
        self._delivered_seq: dict[int, int] = {}  # the newest partial delivered, per utterance
        self._seq = 0
        self._guesses: dict[int, _Guess] = {}
        recognition = _RemoteRecognition(self, speculate)
        self._pipeline = CallSpeechPipeline(
            call_id, sample_rate, encoding, recognition, self._no_results, vad  # type: ignore[arg-type]
        )

    @staticmethod
    def _no_results(result: UtteranceResult) -> None:  # the pipeline's sink: nothing decodes here
        raise AssertionError("remote speech decodes nothing in pbx")

    # ------------------------------------------------------------ VAD events (feeding thread)

    def on_event(self, event: VadEvent) -> None:
        if isinstance(event, PartialSegment):
            self._send("partial", event.index, event.start_s, event.end_s, event.audio)
        elif isinstance(event, SpeechPaused):
            job_id = self._send("guess", event.index, event.start_s, event.end_s, event.audio)
            with self._lock:
                self._guesses[event.index] = _Guess(job_id, event)
        elif isinstance(event, (SpeechResumed, SpeechDiscarded)):
            with self._lock:
                guess = self._guesses.pop(event.index, None)  # its reply, if it comes, is dropped
                if guess is not None:
                    self._seq += 1
                    seq = self._seq
            if guess is not None:  # and a worker that has not started on it yet skips it
                self._speech.transport.supersede(utterance_id(self.call_id, event.index), seq)
        elif isinstance(event, Utterance):
            self._on_utterance(event)

    def _on_utterance(self, utterance: Utterance) -> None:
        delivery = None
        with self._lock:
            guess = self._guesses.pop(utterance.index, None)
            if guess is not None and len(guess.pause.audio.samples) != len(utterance.audio.samples):
                guess = None  # the caller said more after the pause: the guess is not the final
            if guess is not None and guess.assessment is None:
                if self._speech.await_reply(guess.job_id):
                    guess.final, guess.closed_at = utterance, time.monotonic()
                    self._guesses[utterance.index] = guess
                    return
                guess = None  # past its deadline already: the final goes out on its own
            if guess is not None:
                assert guess.assessment is not None
                delivery = self._finalise(utterance.index, guess.assessment)
        if guess is None:
            self._send("final", utterance.index, utterance.start_s, utterance.end_s, utterance.audio,
                       cut=utterance.cut)  # fmt: skip
            return
        if delivery is not None:
            self._deliver(delivery, utterance.index, utterance, time.monotonic(), speculative=False)

    def _send(self, kind: JobKind, index: int, start_s: float, end_s: float, audio: Audio,
              cut: bool = False) -> str:  # fmt: skip
        speech = self._speech
        with self._lock:
            self._seq += 1
            seq, baseline = self._seq, self._baseline
        job = SpeechJob(
            call_id=self.call_id, utterance_id=utterance_id(self.call_id, index), kind=kind,
            audio=AudioPayload.from_audio(audio), start_s=max(0.0, start_s),
            baseline=baseline.model_dump(mode="json"), reply_to=speech.reply_stream,
            deadline=speech.now() + speech.deadline_s, seq=seq,
        )  # fmt: skip
        speech.track(SentJob(job.job_id, self, kind, index, start_s, end_s, audio, job.deadline, seq, job, cut,
                             awaited=kind == "final", sent_mono=time.monotonic()))  # fmt: skip
        speech.transport.send(job)
        return job.job_id

    # ------------------------------------------------------------ replies (reader thread)

    def on_reply(self, job: SentJob, reply: SpeechReply) -> None:
        assessment = self._assessment_of(job, reply)
        if assessment is None:
            if job.awaited:
                self.on_timeout(job, detail=reply.error or "unreadable reply")
            elif job.kind == "guess":
                self._drop_guess(job)  # the final then goes out on its own
            return
        with self._lock:
            delivery, ended_at = None, job.sent_mono  # sent when the VAD closed its stretch of speech
            if job.kind == "final":
                delivery = self._finalise(job.index, assessment)
            elif job.kind == "partial":
                delivery = self._partial(job, assessment)
            else:
                guess = self._guesses.get(job.index)
                if guess is None or guess.job_id != job.job_id:
                    return  # the caller went on after the pause: this guess is worth nothing
                if guess.final is not None:
                    del self._guesses[job.index]
                    final, ended_at = guess.final, guess.closed_at
                    delivery = self._finalise(job.index, assessment)
                    if delivery is not None:
                        delivery = delivery.model_copy(update={"start_s": final.start_s, "end_s": final.end_s})
                else:
                    guess.assessment = assessment
                    if assessment.text.strip():
                        delivery = self._partial(job, assessment)
        if delivery is not None:
            self._deliver(delivery, job.index, job, ended_at, speculative=job.kind == "guess" and
                          not delivery.is_final)  # fmt: skip

    def on_timeout(self, job: SentJob, detail: str = "") -> None:
        """No (usable) reply by the deadline: a final's caller is unheard; a partial is just lost."""
        if detail:
            log.warning("call %s: %s job %s answered without an assessment (%s): caller unheard", self.call_id,
                        job.kind, job.job_id, detail)  # fmt: skip
        if not job.awaited:
            if job.kind == "guess":
                self._drop_guess(job)
            return
        with self._lock:
            guess = self._guesses.get(job.index)
            if guess is not None and guess.job_id == job.job_id:
                del self._guesses[job.index]
            if job.index in self._finals:
                return
            self._finals.add(job.index)
            self._last_final = max(self._last_final, job.index)
            baseline = self._baseline
        blind = UtteranceAssessment(
            call_id=self.call_id, utterance_id=utterance_id(self.call_id, job.index), is_final=True, text="",
            words=[], asr_confidence=None, engine="remote", start_s=job.start_s, end_s=job.end_s, prosody=None,
            prosody_z=None, sentiment=None, quality=None, baseline=baseline,
            error=MONITOR_BLIND,
        )  # fmt: skip
        self._deliver(blind, job.index, job, job.sent_mono, speculative=False)

    # ------------------------------------------------------------ helpers (callers hold the lock)

    def _finalise(self, index: int, assessment: UtteranceAssessment) -> UtteranceAssessment | None:
        if index in self._finals:
            return None  # a redelivered job answered twice
        self._finals.add(index)
        self._last_final = max(self._last_final, index)
        final = assessment.model_copy(update={"is_final": True})
        if index >= self._baseline_index:
            self._baseline, self._baseline_index = final.baseline, index
        return final

    def _partial(self, job: SentJob, assessment: UtteranceAssessment) -> UtteranceAssessment | None:
        if job.index <= self._last_final or job.seq <= self._delivered_seq.get(job.index, 0):
            return None  # stale: its final, or a newer partial, is already out
        self._delivered_seq[job.index] = job.seq
        # Only finals teach the baseline (a guess's reply may carry one taught by its audio).
        return assessment.model_copy(update={"is_final": False, "baseline": self._baseline})

    def _drop_guess(self, job: SentJob) -> None:
        with self._lock:
            guess = self._guesses.get(job.index)
            if guess is not None and guess.job_id == job.job_id and guess.final is None:
                del self._guesses[job.index]

    def _assessment_of(self, job: SentJob, reply: SpeechReply) -> UtteranceAssessment | None:
        if reply.assessment is None:
            if reply.error != "expired":
                log.warning("call %s: %s job %s: worker %s: %s", self.call_id, job.kind, job.job_id, reply.worker,
                            reply.error or "no assessment")  # fmt: skip
            return None
        try:
            return UtteranceAssessment.model_validate(reply.assessment)
        except ValidationError as exc:
            log.warning("call %s: job %s: unreadable assessment from %s: %s", self.call_id, job.job_id, reply.worker,
                        str(exc).replace("\n", " ")[:300])  # fmt: skip
            return None

    def _deliver(self, assessment: UtteranceAssessment, index: int, span: SentJob | Utterance, ended_at: float,
                 speculative: bool) -> None:  # fmt: skip
        words = tuple(Word(w.word, w.conf, w.start, w.end) for w in assessment.words)
        result = UtteranceResult(
            self.call_id, index, assessment.start_s, assessment.end_s,
            Transcript(assessment.text, words, assessment.is_final, assessment.engine), span.audio,
            cut=span.cut, error=assessment.error, ended_at=ended_at, speculative=speculative,
        )  # fmt: skip
        self._sink(assessment, result)
