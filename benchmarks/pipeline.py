"""Concurrent simulated calls through the live speech path (VAD + ASR + prosody + sentiment).

    python -m benchmarks pipeline --json [--mode in-process|celery] [--workers N] [--no-reference]
                                         [--calls 40] [--seconds 45] [--speech-fraction 0.3]
                                         [--engine moonshine|whisper] [--speed 1.0] [--asr-workers 2]

The simulated calls (:mod:`benchmarks._pipeline_calls`) are fed in real time, interleaved tick
by tick, into the live path of the chosen ``--mode``:

- ``in-process`` (the default): one :class:`workers.live.LiveSpeech` in this process, decoding on
  ``--asr-workers`` threads sharing one model (``workers`` reports that number);
- ``celery``: pbx's :class:`workers.remote.client.RemoteLiveSpeech` (VAD here, every decode a job)
  and ``--workers N`` Celery worker processes on a throwaway Redis; see
  :mod:`benchmarks._pipeline_celery`. The in-process run on the same calls comes first (unless
  ``--no-reference``), so the comparison is of one run on one machine's load.

Reported (in-process: CPU is this process's user+system time, all threads; celery: everything
the box spends, this process + every worker process + Redis):
- ``calls_per_core``: call-seconds processed per CPU-second, i.e. how many such calls one core sustains;
- ``overhead_ratio``: our pipeline's CPU / the raw engine's CPU on exactly the same audio the
  engine was given (in-process only; None in celery mode);
- ``rtf``: our pipeline's CPU per second of speech sent to ASR;
- ``mb_per_call``: peak RSS during the run above the RSS with models loaded and warmed (less the
  copy of ASR input this benchmark keeps for the replay), per concurrent call (celery: pbx's side,
  after the reference run's models unless ``--no-reference``; the workers' RSS is in ``detail``);
- ``p50_s``/``p95_s``: end of utterance (the feeding of the frame that made the VAD close it)
  to its final assessment reaching the call's sink;
- celery mode: ``reference`` (the in-process run's calls_per_core, p50_s, p95_s),
  ``calls_per_core_ratio`` (celery / in-process) and ``p95_delta_s`` (celery - in-process).

Latency (``detail``): ``latency_p50_s``/``p95`` from the pipeline's own ``ended_at`` stamp;
``speech_end_to_final_p50_s``/``p95`` from the caller's last word (on the feeding clock) to the
final; ``speech_end_to_transcript_p50_s``/``p95`` to the first transcript of the whole utterance
the bot could act on (a speculative guess that the final confirmed, else the final).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks._pipeline_calls import (
    RATE,
    CallStats,
    build_call,
    cpu_s,
    feed_in_real_time,
    latency_fields,
    rss_mb,
    stats_detail,
    synthesise_pool,
    warm_up,
)
from workers.audio import Audio
from workers.settings import SpeechSettings

MODES = ("in-process", "celery")


def _raw_engine_cpu(engine, batches: list[list[Audio]]) -> tuple[float, float]:  # noqa: ANN001
    """CPU of faster-whisper alone on the same windows, and of the same utterances one by one (sampled)."""
    windows = [w for batch in batches for w in engine.build_windows(batch)]
    start = cpu_s()
    for w in windows:
        segments, _ = engine.model.transcribe(w.samples, **engine.options)
        for _segment in segments:
            pass
    packed = cpu_s() - start
    return packed, sum(len(w.samples) for w in windows) / 16000


def _raw_per_utterance_cpu(engine, utterances: list[Audio]) -> float:  # noqa: ANN001
    start = cpu_s()
    for u in utterances:
        segments, _ = engine.model.transcribe(u.to_float(), **engine.options)
        for _segment in segments:
            pass
    return cpu_s() - start


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks pipeline")
    parser.add_argument("--mode", choices=MODES, default="in-process", help="where speech runs")
    parser.add_argument("--workers", type=int, default=2, help="celery: worker processes decoding")
    parser.add_argument("--worker-layout", choices=("pool", "nodes"), default="pool",
                        help="celery: one node of N pool processes, or N nodes of one")  # fmt: skip
    parser.add_argument("--no-reference", action="store_true", help="celery: skip the in-process run")
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
        help="in-process: parallel ASR passes sharing one model (default: one per core, at most 2)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--json", action="store_true", help="accepted for the dispatcher; output is always the dict"
    )
    return parser


def run(argv: list[str]) -> dict:
    args = _parser().parse_args(argv)
    settings = dataclasses.replace(SpeechSettings.from_env(), asr_workers=args.asr_workers)
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as tmp:
        pool = synthesise_pool(Path(tmp))
    rng = random.Random(args.seed)
    calls = [build_call(pool, args.seconds, args.speech_fraction, rng) for _ in range(args.calls)]
    if args.mode == "in-process":
        return run_in_process(args, settings, calls)
    from benchmarks._pipeline_celery import run_celery

    reference = None if args.no_reference else run_in_process(args, settings, calls)
    result = run_celery(args, settings, calls)
    if reference is not None:
        result["reference"] = {k: reference[k] for k in ("calls_per_core", "p50_s", "p95_s")}
        result["calls_per_core_ratio"] = round(result["calls_per_core"] / reference["calls_per_core"], 3)
        if result["p95_s"] is not None and reference["p95_s"] is not None:
            result["p95_delta_s"] = round(result["p95_s"] - reference["p95_s"], 3)
        else:
            result["p95_delta_s"] = None
        result["detail"]["reference_detail"] = reference["detail"]
    detail = result.pop("detail")
    return {**result, "detail": detail}


def run_in_process(args: argparse.Namespace, settings: SpeechSettings, calls: list[bytes]) -> dict:
    """One LiveSpeech in this process; ``settings.asr_workers`` ASR threads share one model."""
    from workers.asr.registry import create_asr_engine
    from workers.live import LiveSpeech
    from workers.sentiment import load_sentiment

    engine = create_asr_engine(settings, args.engine)
    engine.warm()
    batches: list[list[Audio]] = []
    live = LiveSpeech(
        engine,
        load_sentiment(),
        settings.vad,
        settings.asr_batch_seconds,
        observer=lambda audios: batches.append(list(audios)),
        asr_workers=settings.asr_workers,
    )
    # Only once warm is the RSS that models + warm buffers need taken as the base.
    warm_up(live, calls)
    batches.clear()
    # Kept for streaming engines' replay, and for engines that decode during speech (what callers said).
    stats = CallStats(keep_audio=engine.mode != "batch" or not engine.packs_utterances, speed=args.speed)
    rss_base = rss_mb()
    call_ids = [f"bench-{i:03d}" for i in range(args.calls)]
    sessions = [live.open_call(call_id, RATE, "ulaw", stats.sink) for call_id in call_ids]
    cpu0 = cpu_s()
    fed = feed_in_real_time(sessions, call_ids, calls, args.seconds, args.speed, stats)
    live.drain()
    drain_s = time.monotonic() - fed.last_frame_at
    pipeline_cpu = cpu_s() - cpu0
    rss_peak = max(fed.rss_peak_mb, rss_mb(), rss_base)
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
        "wall_s": round(fed.wall_s, 1),
        "drain_after_last_frame_s": round(drain_s, 2),
        "max_frame_lag_ms": round(fed.lag_max_s * 1000, 1),
        **stats_detail(stats),
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
        start = cpu_s()
        for batch in batches:
            engine.transcribe_many(batch)
        raw_cpu = cpu_s() - start
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
        start = cpu_s()
        engine.transcribe_many(stats.final_audio)
        raw_cpu = cpu_s() - start
        result["overhead_ratio"] = round(pipeline_cpu / raw_cpu, 3)
        detail.update(raw_engine_cpu_s=round(raw_cpu, 2), raw_engine_rtf=round(raw_cpu / speech_s, 4))
    else:
        result["overhead_ratio"] = None
    detail["realtime_ok"] = bool(fed.lag_max_s < 0.2 and drain_s < 10)
    return {**{k: result[k] for k in ("calls_per_core", "overhead_ratio", "rtf", "mb_per_call")},
            "mode": "in-process", "workers": settings.asr_workers, **latency_fields(stats), "detail": detail}  # fmt: skip

