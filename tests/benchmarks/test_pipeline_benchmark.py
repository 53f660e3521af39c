"""``python -m benchmarks pipeline --mode celery``: its output's shape, and a healthy run's counts.

Correctness, not speed: the figures depend on the machine. The timing of each final from the
VAD closing its utterance is checked on a made-up run; the real run starts Redis and a worker.
"""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from benchmarks._pipeline_calls import CallStats, latency_fields, stats_detail
from contactcenter.site.config import REPO_DIR
from workers.audio import Audio
from workers.remote.session import MONITOR_BLIND
from workers.vad import SpeechPaused, Utterance

SHARED_FIELDS = ("calls_per_core", "overhead_ratio", "rtf", "mb_per_call", "mode", "workers", "p50_s", "p95_s")


def _final(call_id: str, index: int, error: str = "") -> tuple[SimpleNamespace, SimpleNamespace]:
    transcript = SimpleNamespace(text="yes")
    result = SimpleNamespace(call_id=call_id, index=index, end_s=1.0, error=error, audio=None, ended_at=0.0,
                             cut=False, transcript=transcript, speculative=False)  # fmt: skip
    return SimpleNamespace(is_final=True), result


def _utterance(index: int) -> Utterance:
    audio = Audio(np.zeros(800, dtype=np.int16), 8000)
    return Utterance(index=index, start_s=0.0, end_s=1.0, audio=audio, voiced_s=0.8)


def test_finals_are_timed_from_the_feeding_that_closed_their_utterance(monkeypatch: pytest.MonkeyPatch) -> None:
    stats = CallStats()
    audio = Audio(np.zeros(800, dtype=np.int16), 8000)
    stats.closed("c1", [SpeechPaused(index=0, start_s=0.0, end_s=0.5, audio=audio), _utterance(0)], fed_at=100.0)
    stats.closed("c2", [_utterance(0)], fed_at=100.0)
    clock = iter([100.25, 101.0, 102.0])
    monkeypatch.setattr("benchmarks._pipeline_calls.time.monotonic", lambda: next(clock))
    stats.sink(*_final("c1", 0))
    stats.sink(*_final("c2", 0, error=MONITOR_BLIND))
    stats.sink(*_final("c3", 4))  # a final whose closing was never seen: counted, not timed
    assert latency_fields(stats) == pytest.approx({"p50_s": 0.625, "p95_s": 0.9625}, abs=0.001)
    detail = stats_detail(stats)
    assert (detail["utterances_final"], detail["monitor_blind"], detail["errors"]) == (3, 1, 1)
    assert detail["finals_without_close"] == 1


@pytest.mark.realstack
@pytest.mark.timeout(240)
def test_celery_mode_runs_the_calls_through_a_worker_and_compares_with_in_process() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks", "pipeline", "--mode", "celery", "--workers", "1",
                           "--calls", "2", "--seconds", "8", "--speed", "1", "--json"],
                          cwd=REPO_DIR, capture_output=True, text=True, timeout=220)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(name in result for name in SHARED_FIELDS), sorted(result)
    assert result["mode"] == "celery" and result["workers"] == 1
    detail = result["detail"]
    assert detail["utterances_final"] > 0 and detail["finals_without_close"] == 0
    assert detail["monitor_blind"] == 0 and detail["errors"] == 0
    assert detail["drained"] is True
    assert detail["jobs"]["final"] + detail["jobs"].get("guess", 0) >= detail["utterances_final"]
    assert detail["cpu_s"]["workers"] > 0 and detail["worker_processes"] == 2  # the node and its pool process
    assert result["calls_per_core"] > 0 and result["p95_s"] is not None and result["p95_s"] > 0
    assert set(result["reference"]) == {"calls_per_core", "p50_s", "p95_s"}
    assert result["calls_per_core_ratio"] == pytest.approx(
        result["calls_per_core"] / result["reference"]["calls_per_core"], rel=0.02
    )
    assert result["p95_delta_s"] == pytest.approx(result["p95_s"] - result["reference"]["p95_s"], abs=0.002)
    assert detail["reference_detail"]["utterances_final"] == detail["utterances_final"]
