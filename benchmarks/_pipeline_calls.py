"""The pipeline benchmark's simulated calls, and their feeding in real time, in either speech mode.

Each simulated call is 8 kHz mu-law in 20 ms frames, as Asterisk's ExternalMedia sends it: the
customer speaks a fraction of the time (synthesised with espeak-ng, flite and piper, in turns of
one to three sentences) and is silent (line hiss) while the bot talks. :func:`feed_in_real_time`
feeds all calls interleaved tick by tick into whatever sessions the speech gives
(:class:`workers.live.LiveSpeech` in this process, or
:class:`workers.remote.client.RemoteLiveSpeech` and its workers), and :class:`CallStats` times
each final from the moment the VAD closed its utterance, the same way for both.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workers.audio import Audio, read_wav
from workers.remote.session import MONITOR_BLIND
from workers.settings import SpeechSettings
from workers.vad import TAIL_MS, Utterance, VadEvent

RATE = 8000
FRAME = RATE // 50
SENTENCES = [
    "Hi, I am calling about my internet bill.",
    "It is much higher than last month.",
    "I already called twice and nobody fixed it.",
    "Can you send a technician tomorrow morning?",
    "What is the status of my refund?",
    "I want to cancel my account right now.",
    "Please call me back after five.",
    "Yes, that is correct.",
    "No, I did not order that.",
    "This is the worst service I have ever had.",
    "My account number is four five six seven.",
    "Okay, thank you for your help.",
]


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --- Simulated callers --------------------------------------------------------------------
def synthesise_pool(tmp: Path) -> list[np.ndarray]:
    """Customer sentences from three synthesisers and several voices, as 8 kHz int16."""
    from workers.models import locate_piper_voice
    from workers.tts.piper_engine import PiperEngine

    clips: list[Audio] = []
    for i, text in enumerate(SENTENCES):
        out = tmp / f"s{i}.wav"
        voice, pitch, speed = [("en-us", 50, 160), ("en", 40, 175), ("en-us+f3", 60, 190)][i % 3]
        subprocess.run(
            ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(out), text],
            check=True,
            capture_output=True,
        )
        clips.append(read_wav(out))
        out = tmp / f"f{i}.wav"
        subprocess.run(
            ["flite", "-voice", ["kal", "slt", "rms", "awb"][i % 4], "-t", text, "-o", str(out)],
            check=True,
            capture_output=True,
        )
        clips.append(read_wav(out))
    piper = PiperEngine(locate_piper_voice(SpeechSettings.from_env().piper_voice_path))
    clips += [piper.synthesize(text) for text in SENTENCES[::2]]
    return [c.resample(RATE).samples for c in clips]


def build_call(pool: Sequence[np.ndarray], seconds: float, fraction: float, rng: random.Random) -> bytes:
    """One customer channel: turns of 1-3 sentences between bot turns of line hiss, as mu-law."""
    total = int(seconds * RATE)
    mean_turn = 2.0 * float(np.mean([len(p) for p in pool])) / RATE
    mean_gap = mean_turn * (1 - fraction) / fraction
    gain = 10 ** (rng.uniform(-6, 4) / 20)
    noise = np.random.default_rng(rng.randrange(2**32))
    parts: list[np.ndarray] = []
    length = 0
    # Calls start at random points of a bot turn, so customers do not all speak at once.
    gap = rng.uniform(0, mean_gap)
    while length < total:
        hiss = noise.normal(0, 12, int(gap * RATE))
        parts.append(hiss)
        length += len(hiss)
        for k in range(rng.choice((1, 2, 2, 3))):
            if k:
                pause = noise.normal(0, 12, int(rng.uniform(0.15, 0.45) * RATE))
                parts.append(pause)
                length += len(pause)
            speech = rng.choice(pool).astype(np.float64) * gain
            parts.append(speech)
            length += len(speech)
        gap = rng.uniform(0.5, 1.5) * mean_gap
    samples = np.clip(np.concatenate(parts)[:total], -32768, 32767).astype(np.int16)
    return Audio(samples, RATE).to_bytes("ulaw")


# --- What comes back ------------------------------------------------------------------------
@dataclass
class CallStats:
    finals: int = 0
    partials: int = 0
    errors: int = 0
    monitor_blind: int = 0  # finals nobody answered in time (remote speech only)
    latencies: list[float] = field(default_factory=list)  # from the pipeline's own ended_at
    final_audio: list[Audio] = field(default_factory=list)  # kept only for streaming engines' replay
    keep_audio: bool = False
    final_speech_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Feeding clock: session audio second s was fed at wall0 + s / speed (monotonic).
    wall0: float = 0.0
    speed: float = 1.0
    speech_to_final: list[float] = field(default_factory=list)
    speech_to_transcript: list[float] = field(default_factory=list)
    guessed: dict[tuple[str, int, float], tuple[float, str]] = field(default_factory=dict)
    # (call, utterance index): when the frame that made the VAD close it was fed, and when its final came.
    closed_at: dict[tuple[str, int], float] = field(default_factory=dict)
    final_at: dict[tuple[str, int], float] = field(default_factory=dict)

    def sink(self, assessment, result) -> None:  # noqa: ANN001 - the AssessmentSink signature
        now = time.monotonic()
        with self.lock:
            if result.error:
                self.errors += 1
            key = (result.call_id, result.index, round(result.end_s, 2))
            if assessment.is_final:
                self.finals += 1
                self.monitor_blind += result.error == MONITOR_BLIND
                self.final_at.setdefault((result.call_id, result.index), now)
                if result.audio is not None:
                    self.final_speech_s += result.audio.duration_s
                    if self.keep_audio:
                        self.final_audio.append(result.audio)
                if result.ended_at:
                    self.latencies.append(now - result.ended_at)
                if self.wall0 and not result.cut:
                    # end_s keeps TAIL_MS of the silence after the last word.
                    spoke_until = self.wall0 + (result.end_s - TAIL_MS / 1000) / self.speed
                    self.speech_to_final.append(now - spoke_until)
                    guess_at, guess_text = self.guessed.pop(key, (now, ""))
                    ready = guess_at if guess_text == result.transcript.text else now
                    self.speech_to_transcript.append(min(ready, now) - spoke_until)
            else:
                self.partials += 1
                if result.speculative:
                    self.guessed[key] = (now, result.transcript.text)

    def closed(self, call_id: str, events: list[VadEvent], fed_at: float) -> None:
        for event in events:
            if isinstance(event, Utterance):
                with self.lock:
                    self.closed_at[(call_id, event.index)] = fed_at

    def close_to_final(self) -> list[float]:
        """End of utterance (the VAD closing it) to its final reaching the sink, measured here
        alike for both speech modes (not from each pipeline's own ``ended_at``)."""
        with self.lock:
            return [self.final_at[k] - t for k, t in self.closed_at.items() if k in self.final_at]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(float(np.percentile(values, q)), 3)


def latency_fields(stats: CallStats) -> dict:
    closed = stats.close_to_final()
    return {"p50_s": percentile(closed, 50), "p95_s": percentile(closed, 95)}


def stats_detail(stats: CallStats) -> dict:
    return {
        "utterances_final": stats.finals,
        "partials": stats.partials,
        "errors": stats.errors,
        "monitor_blind": stats.monitor_blind,
        "finals_without_close": len(set(stats.final_at) - set(stats.closed_at)),
        "latency_p50_s": percentile(stats.latencies, 50),
        "latency_p95_s": percentile(stats.latencies, 95),
        "speech_end_to_final_p50_s": percentile(stats.speech_to_final, 50),
        "speech_end_to_final_p95_s": percentile(stats.speech_to_final, 95),
        "speech_end_to_transcript_p50_s": percentile(stats.speech_to_transcript, 50),
        "speech_end_to_transcript_p95_s": percentile(stats.speech_to_transcript, 95),
    }


# --- Feeding --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fed:
    wall_s: float
    last_frame_at: float  # monotonic
    lag_max_s: float
    rss_peak_mb: float


def feed_in_real_time(sessions: Sequence, call_ids: Sequence[str], calls: Sequence[bytes], seconds: float,
                      speed: float, stats: CallStats) -> Fed:  # fmt: skip
    """Every call's frames, tick by tick on the wall clock (``speed`` times real time); then
    each session is closed (the VAD closes what was still open)."""
    ticks = int(seconds * 50)
    tick_s = 0.020 / speed
    rss_peak, lag_max = rss_mb(), 0.0
    wall0 = time.monotonic()
    # A session's audio second s is fed in the tick that ends then (frame k covers [k, k+1) * 20 ms).
    stats.wall0 = wall0 + tick_s
    for tick in range(ticks):
        deadline = wall0 + tick * tick_s
        now = time.monotonic()
        if now < deadline:
            time.sleep(deadline - now)
        else:
            lag_max = max(lag_max, now - deadline)
        offset = tick * FRAME
        for session, call_id, audio in zip(sessions, call_ids, calls, strict=True):
            fed_at = time.monotonic()
            events = session.feed_frame(audio[offset : offset + FRAME])
            if events:
                stats.closed(call_id, events, fed_at)
        if tick % 50 == 0:
            rss_peak = max(rss_peak, rss_mb())
    fed_wall = time.monotonic() - wall0
    for session, call_id in zip(sessions, call_ids, strict=True):
        fed_at = time.monotonic()
        stats.closed(call_id, session.close(), fed_at)
    return Fed(fed_wall, wall0 + fed_wall, lag_max, max(rss_peak, rss_mb()))


def warm_up(speech, calls: Sequence[bytes], sessions: int = 12, seconds: float = 30.0) -> None:  # noqa: ANN001
    """A few calls fed as fast as possible, so that every decoder runs full windows (its
    allocator arena and the engine's buffers reach working size) before anything is timed."""
    warm = CallStats()
    opened = [speech.open_call(f"warm-{i}", RATE, "ulaw", warm.sink) for i in range(min(len(calls), sessions))]
    for offset in range(0, min(len(calls[0]), int(seconds * RATE)), FRAME):
        for session, audio in zip(opened, calls, strict=False):
            session.feed_frame(audio[offset : offset + FRAME])
    for session in opened:
        session.close()
    speech.drain()
