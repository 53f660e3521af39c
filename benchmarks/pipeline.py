"""Concurrent simulated calls through the live speech path (VAD + ASR + prosody + sentiment).

    python -m benchmarks pipeline --json [--calls 40] [--seconds 45] [--speech-fraction 0.3]
                                        [--engine moonshine|whisper] [--speed 1.0] [--compare-celery]

Each simulated call is 8 kHz mu-law in 20 ms frames, as Asterisk's ExternalMedia sends it: the
customer speaks ``--speech-fraction`` of the time (synthesised with espeak-ng, flite and piper,
in turns of one to three sentences) and is silent (line hiss) while the bot talks. All calls
are fed in real time, interleaved tick by tick, into one :class:`workers.live.LiveSpeech`.

Reported (all CPU figures are this process's user+system time, all threads):
- ``calls_per_core``: call-seconds processed per CPU-second, i.e. how many such calls one core sustains;
- ``overhead_ratio``: our pipeline's CPU / the raw engine's CPU on exactly the same audio the
  engine was given (the same packed windows, re-run straight on faster-whisper afterwards);
- ``rtf``: our pipeline's CPU per second of speech sent to ASR;
- ``mb_per_call``: peak RSS during the run above the RSS with models loaded and warmed (less the
  copy of ASR input this benchmark keeps for the replay), per concurrent call.

Latency (``detail``): ``latency_p50_s``/``p95`` from the VAD closing an utterance (its hangover
after the last word) to its final assessment; ``speech_end_to_final_p50_s``/``p95`` from the
caller's last word (on the feeding clock) to the final; ``speech_end_to_transcript_p50_s``/``p95``
to the first transcript of the whole utterance the bot could act on (a speculative guess that
the final confirmed, else the final).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import resource
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workers.asr.registry import create_asr_engine
from workers.audio import Audio, read_wav
from workers.live import LiveSpeech
from workers.sentiment import load_sentiment
from workers.settings import SpeechSettings
from workers.vad import TAIL_MS

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


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --- Simulated callers --------------------------------------------------------------------
def _synthesise_pool(tmp: Path) -> list[np.ndarray]:
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


def _build_call(pool: Sequence[np.ndarray], seconds: float, fraction: float, rng: random.Random) -> bytes:
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


# --- The run --------------------------------------------------------------------------------
@dataclass
class _Stats:
    finals: int = 0
    partials: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    final_audio: list[Audio] = field(default_factory=list)  # kept only for streaming engines' replay
    keep_audio: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Feeding clock: session audio second s was fed at wall0 + s / speed (monotonic).
    wall0: float = 0.0
    speed: float = 1.0
    speech_to_final: list[float] = field(default_factory=list)
    speech_to_transcript: list[float] = field(default_factory=list)
    guessed: dict[tuple[str, int, float], tuple[float, str]] = field(default_factory=dict)

    def sink(self, assessment, result) -> None:  # noqa: ANN001 - the AssessmentSink signature
        now = time.monotonic()
        with self.lock:
            if result.error:
                self.errors += 1
            key = (result.call_id, result.index, round(result.end_s, 2))
            if assessment.is_final:
                self.finals += 1
                if self.keep_audio and result.audio is not None:
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


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(float(np.percentile(values, q)), 3)


def _raw_engine_cpu(engine, batches: list[list[Audio]]) -> tuple[float, float]:  # noqa: ANN001
    """CPU of faster-whisper alone on the same windows, and of the same utterances one by one (sampled)."""
    windows = [w for batch in batches for w in engine.build_windows(batch)]
    start = _cpu()
    for w in windows:
        segments, _ = engine.model.transcribe(w.samples, **engine.options)
        for _segment in segments:
            pass
    packed = _cpu() - start
    return packed, sum(len(w.samples) for w in windows) / 16000


def _raw_per_utterance_cpu(engine, utterances: list[Audio]) -> float:  # noqa: ANN001
    start = _cpu()
    for u in utterances:
        segments, _ = engine.model.transcribe(u.to_float(), **engine.options)
        for _segment in segments:
            pass
    return _cpu() - start


def run(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks pipeline")
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=45.0, help="length of each simulated call")
    parser.add_argument("--speech-fraction", type=float, default=0.30)
    parser.add_argument("--engine", default=None, help="ASR engine (default: CC_ASR_ENGINE, else moonshine)")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="feed faster than real time (CPU figures unchanged)"
    )
    parser.add_argument(
        "--asr-workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="parallel ASR passes sharing one model (default: one per core, at most 2)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--compare-celery", action="store_true", help="also time the same utterances through Celery"
    )
    parser.add_argument(
        "--json", action="store_true", help="accepted for the dispatcher; output is always the dict"
    )
    args = parser.parse_args(argv)

    settings = dataclasses.replace(SpeechSettings.from_env(), asr_workers=args.asr_workers)
    engine = create_asr_engine(settings, args.engine)
    engine.warm()
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as tmp:
        pool = _synthesise_pool(Path(tmp))
    rng = random.Random(args.seed)
    calls = [_build_call(pool, args.seconds, args.speech_fraction, rng) for _ in range(args.calls)]

    batches: list[list[Audio]] = []
    live = LiveSpeech(
        engine,
        load_sentiment(),
        settings.vad,
        settings.asr_batch_seconds,
        observer=lambda audios: batches.append(list(audios)),
        asr_workers=settings.asr_workers,
    )
    # Warm up through the same LiveSpeech, feeding calls as fast as possible so that every ASR
    # thread runs full windows (its allocator arena and the engine's buffers reach working size);
    # only then is the RSS that models + warm buffers need taken as the base.
    warm = _Stats()
    warm_sessions = [live.open_call(f"warm-{i}", RATE, "ulaw", warm.sink) for i in range(min(len(calls), 12))]
    for offset in range(0, min(len(calls[0]), 30 * RATE), FRAME):
        for session, audio in zip(warm_sessions, calls, strict=False):
            session.feed_frame(audio[offset : offset + FRAME])
    for session in warm_sessions:
        session.close()
    live.drain()
    batches.clear()
    # Kept for streaming engines' replay, and for engines that decode during speech (what callers said).
    stats = _Stats(keep_audio=engine.mode != "batch" or not engine.packs_utterances, speed=args.speed)
    rss_base = _rss_mb()
    sessions = [live.open_call(f"bench-{i:03d}", RATE, "ulaw", stats.sink) for i in range(args.calls)]
    ticks = int(args.seconds * 50)
    tick_s = 0.020 / args.speed
    rss_peak, lag_max = rss_base, 0.0
    cpu0, wall0 = _cpu(), time.monotonic()
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
        for session, audio in zip(sessions, calls, strict=True):
            session.feed_frame(audio[offset : offset + FRAME])
        if tick % 50 == 0:
            rss_peak = max(rss_peak, _rss_mb())
    fed_wall = time.monotonic() - wall0
    for session in sessions:
        session.close()
    live.drain()
    drain_s = time.monotonic() - wall0 - fed_wall
    pipeline_cpu = _cpu() - cpu0
    rss_peak = max(rss_peak, _rss_mb())
    live.close()

    if engine.mode == "batch" and engine.packs_utterances:
        speech_s = sum(a.duration_s for b in batches for a in b)
    else:
        speech_s = sum(a.duration_s for a in stats.final_audio)
    result: dict = {}
    detail: dict = {
        "engine": engine.name,
        "calls": args.calls,
        "call_seconds": args.seconds,
        "speech_fraction_target": args.speech_fraction,
        "speech_seconds_to_asr": round(speech_s, 1),
        "pipeline_cpu_s": round(pipeline_cpu, 2),
        "wall_s": round(fed_wall, 1),
        "drain_after_last_frame_s": round(drain_s, 2),
        "max_frame_lag_ms": round(lag_max * 1000, 1),
        "utterances_final": stats.finals,
        "partials": stats.partials,
        "errors": stats.errors,
        "latency_p50_s": _percentile(stats.latencies, 50),
        "latency_p95_s": _percentile(stats.latencies, 95),
        "speech_end_to_final_p50_s": _percentile(stats.speech_to_final, 50),
        "speech_end_to_final_p95_s": _percentile(stats.speech_to_final, 95),
        "speech_end_to_transcript_p50_s": _percentile(stats.speech_to_transcript, 50),
        "speech_end_to_transcript_p95_s": _percentile(stats.speech_to_transcript, 95),
        "vad_hangover_ms": settings.vad.hangover_ms,
        "asr_batches": len(batches),
        "mean_batch_utterances": round(statistics.mean(len(b) for b in batches), 2) if batches else 0,
        "rss_with_models_mb": round(rss_base, 1),
        "rss_peak_mb": round(rss_peak, 1),
        "cores": os.cpu_count(),
        "asr_workers": settings.asr_workers,
    }
    call_seconds = args.calls * args.seconds
    result["calls_per_core"] = round(call_seconds / pipeline_cpu, 1)
    result["rtf"] = round(pipeline_cpu / speech_s, 4) if speech_s else None
    # The benchmark itself holds a copy of every batch (for the raw-engine replay): not the pipeline's memory.
    recorded_mb = (
        sum(a.samples.nbytes for b in batches for a in b) + sum(a.samples.nbytes for a in stats.final_audio)
    ) / 2**20
    detail["benchmark_recording_mb"] = round(recorded_mb, 1)
    result["mb_per_call"] = round(max(0.0, rss_peak - rss_base - recorded_mb) / args.calls, 3)

    if engine.mode == "batch" and batches and not engine.packs_utterances:
        # Moonshine: the raw reference is the engine alone on every decode the pipeline asked for
        # (finals, guesses, partials), one by one as the pipeline ran them.
        start = _cpu()
        for batch in batches:
            engine.transcribe_many(batch)
        raw_cpu = _cpu() - start
        result["overhead_ratio"] = round(pipeline_cpu / raw_cpu, 3)
        decoded_s = sum(a.duration_s for b in batches for a in b)
        detail.update(raw_engine_cpu_s=round(raw_cpu, 2), raw_engine_rtf=round(raw_cpu / speech_s, 4),
                      decoded_seconds_per_speech_second=round(decoded_s / speech_s, 2) if speech_s else None)  # fmt: skip
    elif engine.mode == "batch" and batches:
        raw_cpu, window_s = _raw_engine_cpu(engine, batches)
        result["overhead_ratio"] = round(pipeline_cpu / raw_cpu, 3)
        sample = [a for b in batches for a in b][:20]
        one_by_one = _raw_per_utterance_cpu(engine, sample)
        sample_s = sum(a.duration_s for a in sample)
        detail.update(
            raw_engine_cpu_s=round(raw_cpu, 2),
            raw_engine_rtf_packed=round(raw_cpu / speech_s, 4),
            raw_engine_rtf_one_by_one=round(one_by_one / sample_s, 4),
            overhead_ratio_vs_one_by_one=round(pipeline_cpu / (one_by_one / sample_s * speech_s), 3),
            window_fill=round(speech_s / window_s, 3) if window_s else None,
        )
    elif stats.final_audio:
        # A streaming engine: the raw reference is its own utterance mode on the same final utterances.
        start = _cpu()
        engine.transcribe_many(stats.final_audio)
        raw_cpu = _cpu() - start
        result["overhead_ratio"] = round(pipeline_cpu / raw_cpu, 3)
        detail.update(raw_engine_cpu_s=round(raw_cpu, 2), raw_engine_rtf=round(raw_cpu / speech_s, 4))
    else:
        result["overhead_ratio"] = None
    detail["realtime_ok"] = bool(lag_max < 0.2 and drain_s < 10)
    if args.compare_celery:
        detail["celery_comparison"] = compare_celery(pool, settings, engine)
    result["detail"] = detail
    return {k: result[k] for k in ("calls_per_core", "overhead_ratio", "rtf", "mb_per_call", "detail")}


# --- In-process vs Celery -----------------------------------------------------------------
def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def compare_celery(pool: Sequence[np.ndarray], settings: SpeechSettings, engine, n: int = 12) -> dict:  # noqa: ANN001
    """The same utterances assessed (a) in-process, one at a time and (b) through Redis + a celery worker."""
    from ops.stack.celery_worker import CeleryWorker, client_app
    from ops.stack.processes import child_pids
    from ops.stack.redis_server import RedisServer
    from workers.asr.base import transcribe_one
    from workers.assessment import assess
    from workers.audio import AudioPayload
    from workers.prosody import CallerBaseline

    utterances = [Audio(p, RATE) for p in pool[:n]]
    sentiment = load_sentiment()

    def in_process(audio: Audio) -> None:
        t = transcribe_one(engine, audio.resample(16000))
        assess(
            call_id="c",
            utterance_id="u",
            audio=audio,
            transcript=t,
            baseline=CallerBaseline(),
            sentiment=sentiment,
        )

    in_process(utterances[0])
    cpu0, lat = _cpu(), []
    for a in utterances:
        t0 = time.monotonic()
        in_process(a)
        lat.append(time.monotonic() - t0)
    inproc_cpu = _cpu() - cpu0

    work = tempfile.TemporaryDirectory(prefix="cc-bench-celery-")
    redis = RedisServer.throwaway(Path(work.name) / "redis")
    redis.start()
    try:
        worker = CeleryWorker(
            redis.url, Path(work.name), env={"CC_ASR_ENGINE": engine.name, "CC_WORKER_PRELOAD": "asr,nlp"}
        ).start()
    except BaseException:
        redis.stop()
        work.cleanup()
        raise
    client = client_app(redis.url)
    try:
        payloads = [AudioPayload.from_audio(a, "ulaw").model_dump() for a in utterances]
        client.send_task("workers.asr.assess_utterance", args=["c", "warm", payloads[0]], queue="asr").get(
            timeout=120
        )
        pool_pid = child_pids(worker.pid)[0]  # type: ignore[arg-type]
        ping_lat = []
        for i in range(20):
            t0 = time.monotonic()
            client.send_task("workers.ping", args=[str(i)], queue="default").get(timeout=30)
            ping_lat.append(time.monotonic() - t0)
        w0, c0, clat = _proc_cpu(pool_pid) + _proc_cpu(worker.pid), _cpu(), []  # type: ignore[arg-type]
        for i, p in enumerate(payloads):
            t0 = time.monotonic()
            client.send_task("workers.asr.assess_utterance", args=["c", f"u{i}", p], queue="asr").get(
                timeout=120
            )
            clat.append(time.monotonic() - t0)
        worker_cpu = _proc_cpu(pool_pid) + _proc_cpu(worker.pid) - w0  # type: ignore[arg-type]
        client_cpu = _cpu() - c0
    finally:
        client.close()
        worker.stop()
        redis.stop()
        work.cleanup()
    speech = sum(a.duration_s for a in utterances)
    return {
        "utterances": n,
        "speech_s": round(speech, 1),
        "in_process_latency_p50_s": round(statistics.median(lat), 3),
        "in_process_cpu_per_speech_s": round(inproc_cpu / speech, 4),
        "celery_latency_p50_s": round(statistics.median(clat), 3),
        "celery_worker_cpu_per_speech_s": round(worker_cpu / speech, 4),
        "celery_client_cpu_per_utterance_ms": round(client_cpu / n * 1000, 2),
        "celery_ping_round_trip_p50_ms": round(statistics.median(ping_lat) * 1000, 2),
    }
