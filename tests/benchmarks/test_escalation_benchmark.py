"""``python -m benchmarks escalation --json``: its output's shape, and nothing left behind.

Correctness, not speed (the figures depend on the machine): every escalation joins and is
answered, the agent hears the summary, and the pre-alert half has its place (null for now).
The shape of the summary is checked without Asterisk too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from benchmarks.escalation import EscalationTiming, summarise
from contactcenter.site.config import REPO_DIR

KEYS = {"n", "p50_s", "p95_s", "decision_to_agent_answer_p50_s", "prealert"}


def test_the_summary_reports_percentiles_of_the_decision_to_join_and_to_answer() -> None:
    timings = [EscalationTiming(f"c{i}", decided_at=100.0, joined_at=100.0 + i / 1000, connected_at=101.0 + i / 100,
                                whisper="summary") for i in range(1, 21)]  # fmt: skip
    timings.append(EscalationTiming("never-joined", decided_at=100.0))
    result = summarise(timings)
    assert result["n"] == 20 and result["answered"] == 20
    assert result["p50_s"] == 0.0105 and result["p95_s"] == 0.019 and result["max_s"] == 0.02
    assert result["decision_to_agent_answer_p50_s"] == 1.105
    assert result["whisper"] == {"summary": 20, "tone": 0}


@pytest.mark.realstack
@pytest.mark.timeout(240)
def test_the_benchmark_prints_its_figures_as_json(asterisk_root: Path) -> None:
    instances = asterisk_root / "srv" / "contactcenter"
    before_tmp = {p.name for p in Path(tempfile.gettempdir()).glob("cc-bench-escalation-*")}
    before_instances = set(instances.glob("bench-esc-*"))
    done = subprocess.run([sys.executable, "-m", "benchmarks", "escalation", "--json", "--calls", "3"],
                          cwd=REPO_DIR, capture_output=True, text=True, timeout=200)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert KEYS <= result.keys() and result["prealert"] is None
    assert result["n"] == result["answered"] == 3
    assert 0 < result["p50_s"] <= result["p95_s"] < result["decision_to_agent_answer_p50_s"]
    assert result["whisper"]["summary"] + result["whisper"]["tone"] == 3
    assert {p.name for p in Path(tempfile.gettempdir()).glob("cc-bench-escalation-*")} == before_tmp
    assert set(instances.glob("bench-esc-*")) == before_instances
