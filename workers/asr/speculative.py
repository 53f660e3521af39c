"""Decode while the caller is still (maybe) talking, so the transcript is ready when they stop.

For engines cheap enough to decode during speech (``decodes_during_speech``, Moonshine). The
VAD says :class:`~workers.vad.SpeechPaused` at the first ``TAIL_MS`` of silence after speech,
with exactly the audio the utterance will hold if nothing more is said; its decode starts
then (a *guess*) and has the rest of the hangover to finish. When the VAD then closes the
utterance on that same audio, the guess is its final: delivered at once if already decoded,
or as soon as it is. If the caller goes on (:class:`~workers.vad.SpeechResumed`), the guess
is dropped — cancelled if still waiting, ignored if already running — and the next pause
starts another. So at the end only the last stretch is left to decode, and usually nothing.

A finished guess is also delivered straight away as a partial marked ``speculative``: the
dialog may take the turn on it when it is a complete answer ("yes", "that's right"), before
the hangover ends (see :mod:`workers.turn_end`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from workers.asr.base import Transcript
from workers.asr.batcher import UtteranceBatcher
from workers.asr.results import CallRecognizer, ResultSink, UtteranceResult, to_engine_rate
from workers.vad import SpeechPaused, SpeechResumed, Utterance, VadEvent


@dataclass(eq=False)
class _Guess:
    pause: SpeechPaused
    transcript: Transcript | None = None
    error: str | None = None
    done: bool = False
    final: Utterance | None = None  # the VAD closed the utterance before the guess was decoded
    final_at: float = 0.0


class SpeculativeRecognizer:
    """Partials and finals as :class:`BatchedRecognizer` does, plus a guess at every pause."""

    def __init__(
        self, batcher: UtteranceBatcher, call_id: str, sink: ResultSink, plain: CallRecognizer
    ) -> None:
        """``plain``: the recognizer that handles partials, and finals no guess matches."""
        self._batcher, self._call_id, self._sink, self._plain = batcher, call_id, sink, plain
        self._lock = threading.Lock()  # events come from the feeding thread, guesses from an ASR thread
        self._guesses: dict[int, _Guess] = {}

    def on_event(self, event: VadEvent) -> None:
        if isinstance(event, SpeechPaused):
            self._guess(event)
        elif isinstance(event, SpeechResumed):
            with self._lock:
                self._guesses.pop(event.index, None)
            self._batcher.cancel(self._key(event.index))
        elif isinstance(event, Utterance):
            self._final(event)
        else:
            self._plain.on_event(event)

    def _key(self, index: int) -> tuple[str, int, str]:
        return (self._call_id, index, "guess")

    def _guess(self, pause: SpeechPaused) -> None:
        guess = _Guess(pause)
        with self._lock:
            self._guesses[pause.index] = guess
        engine = self._batcher.engine
        # A partial of this utterance still waiting is worth nothing now: the guess covers more.
        self._batcher.cancel((self._call_id, pause.index))

        def deliver(transcript: Transcript | None, error: BaseException | None) -> None:
            self._guessed(guess, transcript or Transcript.empty(engine.name), error)

        self._batcher.submit(self._key(pause.index), to_engine_rate(pause.audio, engine), True, deliver)

    def _final(self, utterance: Utterance) -> None:
        closed_at = time.monotonic()
        with self._lock:
            guess = self._guesses.pop(utterance.index, None)
            matches = guess is not None and len(guess.pause.audio.samples) == len(utterance.audio.samples)
            if guess is not None and matches and not guess.done:
                guess.final, guess.final_at = utterance, closed_at
                return
        if guess is None or not matches:
            if guess is not None:
                self._batcher.cancel(self._key(utterance.index))
            self._plain.on_event(utterance)
            return
        self._deliver_final(guess, utterance, closed_at)

    def _guessed(self, guess: _Guess, transcript: Transcript, error: BaseException | None) -> None:
        index = guess.pause.index
        with self._lock:
            guess.transcript, guess.done = transcript, True
            guess.error = None if error is None else f"{type(error).__name__}: {error}"
            final, live = guess.final, self._guesses.get(index) is guess
        if final is not None:
            self._deliver_final(guess, final, guess.final_at)
        elif live and transcript.text:
            pause = guess.pause
            partial = Transcript(transcript.text, transcript.words, False, transcript.engine)
            self._sink(
                UtteranceResult(
                    self._call_id, index, pause.start_s, pause.end_s, partial, pause.audio,
                    error=guess.error, ended_at=time.monotonic(), speculative=True,
                )
            )  # fmt: skip

    def _deliver_final(self, guess: _Guess, utterance: Utterance, closed_at: float) -> None:
        assert guess.transcript is not None
        self._sink(
            UtteranceResult(
                self._call_id, utterance.index, utterance.start_s, utterance.end_s,
                replace(guess.transcript, is_final=True), utterance.audio, utterance.cut,
                error=guess.error, ended_at=closed_at,
            )
        )  # fmt: skip
