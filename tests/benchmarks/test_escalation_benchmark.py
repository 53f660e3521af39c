"""``python -m benchmarks escalation --json``: its output's shape, and nothing left behind.

Correctness, not speed (the figures depend on the machine): every escalation joins and is
answered, the agent hears the summary; with pre-alert every call is answered by the agent
Django reserved for it, whose phone answered by itself, sooner than without.
The shape of the summaries is checked without Asterisk too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from benchmarks.escalation import EscalationTiming, summarise, summarise_prealert
from contactcenter.site.config import REPO_DIR

KEYS = {"n", "p50_s", "p95_s", "decision_to_agent_answer_p50_s", "decision_to_pickup_p50_s", "prealert"}


def test_the_summary_reports_percentiles_of_the_decision_to_join_and_to_answer() -> None:
    # The caller was in the bot's bridge before the decision (99.5): the agent's bridge counts.
    timings = [EscalationTiming(f"c{i}", decided_at=100.0, joined_at=100.0 + i / 1000, picked_up_at=100.3 + i / 100,
                                bridge_enters=[99.5, 101.0 + i / 100], whisper="summary") for i in range(1, 21)]  # fmt: skip
    timings.append(EscalationTiming("never-joined", decided_at=100.0))
    result = summarise(timings)
    assert result["n"] == 20 and result["answered"] == 20
    assert result["p50_s"] == 0.0105 and result["p95_s"] == 0.019 and result["max_s"] == 0.02
    assert result["decision_to_agent_answer_p50_s"] == 1.105
    assert result["decision_to_pickup_p50_s"] == 0.405
    assert result["whisper"] == {"summary": 20, "tone": 0}


def test_the_prealert_share_counts_calls_answered_by_the_agent_reserved_for_them() -> None:
    by_reserved = [EscalationTiming(f"r{i}", decided_at=100.0, picked_up_at=100.01, bridge_enters=[100.4],
                                    answered_by="agent1", reserved_agent="agent1", whisper="tone") for i in range(3)]  # fmt: skip
    not_reserved = EscalationTiming("q", decided_at=100.0, picked_up_at=100.3, bridge_enters=[104.0],
                                    answered_by="agent1", whisper="summary")  # fmt: skip
    other_agent = EscalationTiming("o", decided_at=100.0, picked_up_at=100.3, bridge_enters=[104.0],
                                   answered_by="agent2", reserved_agent="agent1", whisper="summary")  # fmt: skip
    result = summarise_prealert([*by_reserved, not_reserved, other_agent])
    assert result["n"] == result["answered"] == 5 and result["reserved_share"] == 0.6
    assert result["decision_to_agent_answer_p50_s"] == 0.4 and result["decision_to_pickup_p50_s"] == 0.01
    assert result["whisper"] == {"summary": 2, "tone": 3}


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
    assert KEYS <= result.keys()
    assert result["n"] == result["answered"] == 3
    assert 0 < result["p50_s"] <= result["p95_s"] < result["decision_to_agent_answer_p50_s"]
    assert result["whisper"]["summary"] + result["whisper"]["tone"] == 3
    prealert = result["prealert"]
    assert prealert["n"] == prealert["answered"] == 3 and prealert["reserved_share"] == 1.0
    # The reserved agent's phone answers by itself and they hear a tone, not the summary.
    assert prealert["whisper"] == {"summary": 0, "tone": 3}
    assert prealert["decision_to_pickup_p50_s"] < result["decision_to_pickup_p50_s"]
    assert prealert["decision_to_agent_answer_p50_s"] < 0.7 * result["decision_to_agent_answer_p50_s"]
    assert {p.name for p in Path(tempfile.gettempdir()).glob("cc-bench-escalation-*")} == before_tmp
    assert set(instances.glob("bench-esc-*")) == before_instances
