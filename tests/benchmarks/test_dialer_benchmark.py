"""``python -m benchmarks dialer --json``: both sides answer every call, and nothing is left behind.

Correctness, not speed: the rates depend on the machine. The benchmark runs as its own
process, as a user runs it (it configures Django with its own throwaway database).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from contactcenter.site.config import REPO_DIR

pytestmark = [pytest.mark.realstack, pytest.mark.timeout(240)]

CALLS = 6


def _ours(prefix: str) -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"{prefix}*")}


def test_dialer_benchmark_answers_every_call_on_both_sides(asterisk_root: Path) -> None:
    instances = asterisk_root / "srv" / "contactcenter"
    before_tmp, before_instances = _ours("cc-bench-dialer-"), set(instances.glob("bench-*"))
    done = subprocess.run([sys.executable, "-m", "benchmarks", "dialer", "--json", "--calls", str(CALLS),
                           "--hold-ms", "1000", "--profile-pbx", "--rounds", "2"],
                          cwd=REPO_DIR, capture_output=True, text=True, timeout=200)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert {"originate_per_s", "raw_originate_per_s", "ratio", "calls"} <= result.keys()
    assert result["calls"] == CALLS
    # One dialer tick places every call: the benchmark's agents never make pacing human-bound
    # (the pacer's margin for chance held 3 agents to 22 calls and the ratio fell to 0.02).
    assert result["dialer_ticks"] == 1, result
    # Two rounds of each side; the median round is the headline (the lower one of two).
    assert result["rounds"] == 2 and len(result["raw_rounds_per_s"]) == len(result["rounds_per_s"]) == 2
    assert result["originate_per_s"] == min(result["rounds_per_s"])
    assert result["raw_originate_per_s"] == min(result["raw_rounds_per_s"])
    # Every call answered on both sides: seen answered by ARI / pbx, and by the customer (sipp).
    assert result["raw_answered"] == result["sipp_raw_answered"] == CALLS, result
    assert result["answered"] == result["sipp_answered"] == CALLS, result
    assert result["pbx_direct_answered"] == result["pbx_direct_sipp_answered"] == CALLS, result
    assert result["originate_per_s"] > 0 and result["raw_originate_per_s"] > 0
    assert result["ratio"] == pytest.approx(result["originate_per_s"] / result["raw_originate_per_s"], abs=1e-3)
    assert result["ours_breakdown_s"]["last_command_sent"] <= result["ours_breakdown_s"]["last_answered"]
    assert result["pbx_steps"]["originate (CallStarted + ARI POST)"]["n"] >= 2 * CALLS
    assert "raw_errors" not in result
    # The headline holds answered calls as the raw side does; with_bot runs the bot on each.
    assert result["after_answer"] == "hold" and "ARI POST channels/externalMedia" not in result["pbx_steps"]
    bot = result["with_bot"]
    assert bot["answered"] == bot["sipp_answered"] == CALLS, bot
    assert bot["pbx_steps"]["ARI POST channels/externalMedia"]["n"] >= CALLS  # the bot's media leg, each call
    assert bot["ratio"] == pytest.approx(bot["originate_per_s"] / result["raw_originate_per_s"], abs=1e-3)

    # Cleaned up: no temporary directory, no Asterisk instance directory, no process of its own.
    assert _ours("cc-bench-dialer-") == before_tmp
    assert set(instances.glob("bench-*")) == before_instances
    leftovers = subprocess.run(["pgrep", "-f", "cc-bench-dialer-"], capture_output=True, text=True)
    assert leftovers.stdout.strip() == "", leftovers.stdout


def test_dialer_benchmark_refuses_a_configured_django(settings) -> None:
    """Inside a process whose Django is already set up (this one), it never touches that database."""
    from benchmarks import dialer

    with pytest.raises(RuntimeError, match="its own process"):
        dialer._setup_django(Path(tempfile.gettempdir()), "redis://127.0.0.1:1/0", immediate=True)
