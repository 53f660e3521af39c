"""``python -m benchmarks turn --json``: the customer's wait for each reply, and where it went."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from benchmarks.turn import PARTS, measure, percentile
from contactcenter.site.config import REPO_DIR
from ops.simulator.customer import CustomerScript
from ops.simulator.line_customer import LineRun, Turn


def test_turns_are_timed_on_the_customers_side_and_split_by_pbxs_marks() -> None:
    run = LineRun("c1", CustomerScript("s", ("Yes.", "No.")))
    run.turns = [Turn(100.0, 101.0), Turn(110.0, 110.5), Turn(120.0, None)]  # the last one got no reply
    other = LineRun("c2", CustomerScript("s", ("Yes.",)))
    other.turns = [Turn(200.0, 200.8)]
    marks = {
        "call-1": [
            {"decided": 90.0, "voiced": 90.2, "sent": 90.21},  # the greeting: nobody spoke before it
            {"heard": 100.4, "understood": 100.7, "decided": 100.71, "voiced": 100.75, "sent": 100.76},
            {"heard": 110.2, "understood": 110.4, "decided": 110.41, "voiced": 110.42, "sent": 110.43},
        ],
    }  # fmt: skip
    result = measure({"call-1": run, "call-2": other}, marks)
    assert result["n"] == 3 and result["turns_without_pbx_marks"] == 1
    assert result["p50_s"] == 0.8 and result["p95_s"] == 1.0
    b = result["breakdown"]
    assert set(b) == set(PARTS)
    assert b["endpoint_s"] == pytest.approx(0.3) and b["asr_s"] == pytest.approx(0.25)
    assert b["tts_s"] == pytest.approx(0.025) and b["playout_s"] == pytest.approx(0.165)


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 95) == 19.0 and percentile(values, 50) == 10.0 and percentile([3.0], 95) == 3.0


@pytest.mark.realstack
@pytest.mark.timeout(400)
def test_the_turn_benchmark_prints_its_figures(asterisk_root: Path) -> None:
    before = {p.name for p in Path(tempfile.gettempdir()).glob("cc-bench-turn-*")}
    done = subprocess.run([sys.executable, "-m", "benchmarks", "turn", "--json", "--calls", "2"],
                          cwd=REPO_DIR, capture_output=True, text=True, timeout=380)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"n", "p50_s", "p95_s", "breakdown"} <= result.keys()
    # Two calls: "change" (three turns) and "callback" (two), every one answered and matched to pbx's marks.
    assert result["n"] == 5 and result["calls_timed_out"] == 0 and result["turns_without_pbx_marks"] == 0, result
    assert 0 < result["p50_s"] <= result["p95_s"] < 5
    assert set(result["breakdown"]) == set(PARTS)
    assert all(isinstance(v, float) and 0 <= v < 5 for v in result["breakdown"].values()), result
    # Nothing left behind (other benchmarks may run beside it: only its own instance is looked for).
    assert {p.name for p in Path(tempfile.gettempdir()).glob("cc-bench-turn-*")} == before
    assert result["asterisk_instance"].startswith("bench-")
    assert not (asterisk_root / "srv" / "contactcenter" / result["asterisk_instance"]).exists()
