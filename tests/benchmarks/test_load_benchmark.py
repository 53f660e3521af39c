"""``python -m benchmarks load --json``: what counts as a lost call or ledger row, and a real round.

The real round is correctness, not speed: four calls at once on a machine shared with the rest
of the suite, with a turn limit far above the benchmark's 1.5 s, so that it checks what no load
excuses (every call ends with an outcome, nobody is left in silence, the ledger holds them all,
the escalation is answered) and not how fast this box is.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks._line_calls import PlacedCall
from benchmarks._load_round import escalation_waits, ledger_ended, summarise_round
from benchmarks.load import MIX, headline
from contactcenter.site.config import REPO_DIR
from ops.simulator.customer import CustomerScript
from ops.simulator.line_customer import LineRun, Turn
from pbx.api import AgentConnected, CallEnded, CallEscalated, CallOutcome, EscalationReason
from pbx.ledger.schema import Base, Call

KEYS = {"max_concurrent_calls", "turn_p95_s", "escalation_p95_s", "lost_calls", "lost_ledger_rows", "cpu_per_call"}


def _placed(call_id: str, turns: list[Turn], ended: bool = True, script: str = "s") -> PlacedCall:
    run = LineRun(f"t-{call_id}", CustomerScript(script, ("Yes.",)))
    run.turns = turns
    return PlacedCall(call_id, run, ended, duration_s=20.0)


def _ended(call_id: str, outcome: CallOutcome) -> CallEnded:
    return CallEnded(call_id=call_id, outcome=outcome)


def test_a_call_is_lost_without_an_end_an_outcome_or_an_answer_to_each_line() -> None:
    answered = [Turn(100.0, 100.8)]
    placed = [
        _placed("ok", answered),
        _placed("never-ended", answered, ended=False),  # the customer gave up waiting past the timeout
        _placed("no-end-event", answered),
        _placed("hung-up", answered),
        _placed("silence", [Turn(100.0, 100.5), Turn(110.0, None)], script="change"),
        _placed("agent", [Turn(100.0, None)], script="human"),  # a person took over: not silence
    ]
    events = [_ended("ok", CallOutcome.CONFIRMED), _ended("never-ended", CallOutcome.CONFIRMED),
              _ended("hung-up", CallOutcome.HUNG_UP), _ended("silence", CallOutcome.CHANGED),
              AgentConnected(call_id="agent", agent="agent1", asterisk_ts=205.0),
              _ended("agent", CallOutcome.ESCALATED)]  # fmt: skip
    figures = summarise_round(6, placed, events, {"ok", "silence", "agent"}, {}, {}, cpu_s=24.0, wall_s=30.0)
    assert figures["lost_calls"] == 4
    assert figures["lost"] == ["change: left in silence after line 2 of 2", "s: customer still on the line",
                               "s: no call.ended", "s: outcome hung_up"]  # fmt: skip
    assert figures["lost_ledger_rows"] == 3
    assert figures["turns"] == 5 and figures["turn_p95_s"] == 0.8
    assert figures["cpu_per_call"] == 0.2  # 24 CPU-s over six calls of 20 s
    assert figures["outcomes"] == {"changed": 1, "confirmed": 2, "escalated": 1, "hung_up": 1, "none": 1}


def test_escalations_are_timed_from_the_decision_to_the_pick_up_and_to_the_bridge() -> None:
    events = [
        CallEscalated(call_id="a", queue="support", reason=EscalationReason.HUMAN_REQUEST, decided_at=100.0),
        AgentConnected(call_id="a", agent="agent1", asterisk_ts=104.2, at=104.5),
        # Still waiting for an agent: no pick-up, no bridge.
        CallEscalated(call_id="b", queue="support", reason=EscalationReason.HUMAN_REQUEST, decided_at=200.0),
        AgentConnected(call_id="c", agent="agent2", asterisk_ts=300.0),  # not escalated by the bot
    ]  # fmt: skip
    to_pickup, to_bridged = escalation_waits(events, {"a": 100.4, "c": 299.0})
    assert to_pickup == [pytest.approx(0.4)] and to_bridged == [pytest.approx(4.2)]


def test_ledger_rows_are_read_from_the_ledgers_own_tables(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    engine = sa.create_engine(f"sqlite:///{ledger}")
    Base.metadata.create_all(engine)
    with engine.begin() as db:
        db.execute(sa.insert(Call), [{"id": "ended", "ended_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
                                     {"id": "live", "ended_at": None}])  # fmt: skip
    engine.dispose()
    assert ledger_ended(ledger, ["ended", "live", "never-written"]) == {"ended"}
    assert ledger_ended(tmp_path / "missing.sqlite3", ["ended"]) == set()


def test_the_headline_is_the_last_round_that_passed_before_one_failed() -> None:
    def figures(n: int, p95: float, lost: int = 0) -> dict:
        return {"n": n, "turn_p95_s": p95, "escalation_p95_s": 0.4, "escalation_bridged_p95_s": 4.0,
                "lost_calls": lost, "lost_ledger_rows": 0, "cpu_per_call": 0.1}  # fmt: skip

    assert headline([figures(2, 0.9), figures(4, 1.2), figures(6, 1.7)], 1.5)["max_concurrent_calls"] == 4
    assert headline([figures(2, 0.9), figures(4, 1.0, lost=1)], 1.5)["turn_p95_s"] == 0.9
    none_passed = headline([figures(2, 2.0)], 1.5)
    assert none_passed["max_concurrent_calls"] == 0 and none_passed["turn_p95_s"] == 2.0
    assert KEYS <= none_passed.keys()


def test_a_rounds_first_two_calls_include_one_that_escalates() -> None:
    assert [s.name for s in MIX][:2].count("human") == 1 and [s.name for s in MIX].count("human") == 1


@pytest.mark.realstack
@pytest.mark.timeout(300)
def test_four_calls_at_once_all_end_with_an_outcome_and_a_ledger_row(asterisk_root: Path) -> None:
    calls = 4
    before = {p.name for p in Path(tempfile.gettempdir()).glob("cc-bench-load-*")}
    done = subprocess.run([sys.executable, "-m", "benchmarks", "load", "--json", "--calls", str(calls),
                           "--round-calls", str(calls), "--warm-up", "0", "--turn-limit-s", "30"],
                          cwd=REPO_DIR, capture_output=True, text=True, timeout=280)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert KEYS <= result.keys()
    (only,) = result["rounds"]
    assert result["lost_calls"] == 0 and result["lost_ledger_rows"] == 0, only
    assert result["max_concurrent_calls"] == calls, only
    # Every customer line got a reply timed on both sides, and the one escalation reached the agent.
    assert only["turns"] >= 4 and 0 < only["turn_p50_s"] <= result["turn_p95_s"], only
    assert only["escalated"] == only["escalations_answered"] == 1, only
    # The agent's phone rings 300 ms; they hear the summary before the caller is bridged to them.
    assert 0.3 < result["escalation_p95_s"] < result["escalation_bridged_p95_s"] < 15, only
    assert 0 < result["cpu_per_call"] < 2, only
    assert {p.name for p in Path(tempfile.gettempdir()).glob("cc-bench-load-*")} == before
    assert not (asterisk_root / "srv" / "contactcenter" / result["asterisk_instance"]).exists()
