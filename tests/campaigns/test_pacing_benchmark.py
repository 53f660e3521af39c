"""``python -m benchmarks pacing``: the real AI-first pacer against the Erlang C limit.

Correctness only (no timing): the output's keys, the goal on the default parameters with the
default seed (with and without pre-alert), and the naive pacer failing it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks import pacing as bench

KEYS = {"ai_calls_per_hour", "escalations", "pct_escalations_answered_within_2s", "agent_occupancy"}


def test_default_run_reaches_the_goal_and_naive_does_not() -> None:
    result = bench.run([])
    assert KEYS | {"erlang_c_limit_ai_calls_per_hour", "ratio_to_limit", "goal_met", "naive"} <= set(result)
    assert KEYS | {"ratio_to_limit", "goal_met"} <= set(result["naive"])
    limit = result["erlang_c_limit_ai_calls_per_hour"]
    # 10 agents × 240 s at 95% within 2 s take ~79.8 escalations/h; ÷ 15% ≈ 532 AI calls/h.
    assert 525 < limit < 540 and result["limit_bound"] == "humans"
    assert result["ratio_to_limit"] == round(result["ai_calls_per_hour"] / limit, 3)
    assert result["pct_escalations_answered_within_2s"] >= 95.0
    assert result["ratio_to_limit"] >= 0.90
    assert result["goal_met"] is True
    assert result["max_ai_lines_used"] <= 100
    assert 0.3 < result["agent_occupancy"] < 0.8
    naive = result["naive"]
    assert naive["goal_met"] is False and naive["pct_escalations_answered_within_2s"] < 10
    assert naive["ai_calls_per_hour"] > 5 * limit and naive["agent_occupancy"] > 0.99
    # The same run with pre-alert at the stated assumptions, judged the same way.
    prealert = result["prealert"]
    assert KEYS | {"ratio_to_limit", "goal_met", "reserved_share"} <= set(prealert)
    assert (prealert["share"], prealert["lead_s"], prealert["false_rate"], prealert["hold_s"]) == (0.5, 8.0, 0.05, 20.0)
    assert 0.2 < prealert["reserved_share"] < 0.6  # half flagged, some with nobody free to reserve
    assert prealert["goal_met"] is True


def test_prealert_can_be_turned_off() -> None:
    result = bench.run(["--hours", "0.5", "--prealert-share", "0", "--prealert-false-rate", "0"])
    assert result["prealert"]["reserved_share"] == 0.0
    assert result["prealert"]["ai_calls_per_hour"] == result["ai_calls_per_hour"]


def test_line_bound_limit_and_flags() -> None:
    result = bench.run(["--agents", "50", "--escalation-rate", "0.1", "--ai-aht", "180", "--human-aht", "180",
                        "--ai-lines", "20", "--hours", "1", "--seed", "3"])  # fmt: skip
    assert result["limit_bound"] == "lines"
    assert result["erlang_c_limit_ai_calls_per_hour"] == result["line_limit_ai_calls_per_hour"]
    assert result["max_ai_lines_used"] <= 20 and result["naive"]["max_ai_lines_used"] == 20
    assert result["params"]["agents"] == 50 and result["params"]["hours"] == 1.0
    # Lines are the limit: both pacers keep them busy and every escalation is answered at once.
    assert result["ratio_to_limit"] > 0.85 and result["pct_escalations_answered_within_2s"] == 100.0


def test_command_line_prints_one_json_object() -> None:
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-m", "benchmarks", "pacing", "--json", "--hours", "0.5"], cwd=repo,
                         capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    result = json.loads(out.stdout)
    assert KEYS <= set(result) and KEYS <= set(result["naive"])
