"""The offline evaluator on the shared corpus, through its command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.voicewatch.helpers import REPO
from voicewatch import Policy
from voicewatch.eval import compute, evaluate, read_jsonl, shared_corpus


def _eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voicewatch.eval", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def corpus() -> Path:
    return shared_corpus()  # raises when the corpus is missing: the thresholds must be checked


@pytest.fixture(scope="module")
def report(corpus: Path) -> dict:
    proc = _eval(str(corpus), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_acceptance_thresholds(report: dict) -> None:
    m = report["metrics"]
    assert m["recall"] >= 0.95
    assert m["false_escalation_rate"] <= 0.05
    assert m["on_time_rate"] >= 0.90


def test_report_shape(report: dict) -> None:
    calls = report["calls"]
    assert len(calls) == report["metrics"]["calls"] > 0
    for c in calls:
        assert {"id", "escalate", "turn", "reason", "score"} <= set(c)
        assert (c["turn"] >= 0) == c["escalate"]
    per_reason = report["metrics"]["per_reason"]
    assert "none" in per_reason and "anger" in per_reason
    assert {"calls", "escalated", "on_time", "premature", "late", "missed"} <= set(per_reason["anger"])
    assert 0 <= report["metrics"]["premature_rate"] <= 1


def test_streaming_partials_keep_the_thresholds(corpus: Path) -> None:
    outcomes = evaluate(read_jsonl(corpus), Policy.default(), partials=True)
    m = compute(outcomes)
    assert m["recall"] >= 0.95 and m["false_escalation_rate"] <= 0.05 and m["on_time_rate"] >= 0.9


def test_text_table(corpus: Path) -> None:
    proc = _eval(str(corpus))
    assert proc.returncode == 0
    assert "recall" in proc.stdout and "reason" in proc.stdout and "public-" in proc.stdout


def test_what_if_lists_changed_calls(corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "strict.json"
    other.write_text(json.dumps({"version": 2, "name": "no-ambiguity",
                                 "reasons": {"ambiguity": {"escalate": False, "queue": None}}}), encoding="utf-8")
    proc = _eval(str(corpus), "--json", "--what-if", str(other))
    assert proc.returncode == 0, proc.stderr
    w = json.loads(proc.stdout)["what_if"]
    assert w["policy"] == {"name": "no-ambiguity", "version": 2, "schema_version": 1}
    assert w["changes"] and all(ch["change"] == "no longer escalates" for ch in w["changes"])
    assert all(ch["before"]["reason"] == "ambiguity" for ch in w["changes"])
    assert w["delta"]["recall"] < 0
    text = _eval(str(corpus), "--what-if", str(other))
    assert "what-if" in text.stdout and "no longer escalates" in text.stdout


def test_malformed_corpus_is_one_line_naming_the_field(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "turns": [{"speaker": "robot", "text": "hi"}]}) + "\n", encoding="utf-8")
    proc = _eval(str(bad), "--json")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "turns[0].speaker" in lines[0]


def test_missing_file_exit_2() -> None:
    proc = _eval("/nonexistent/calls.jsonl")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_calls_from_any_iterable_source() -> None:
    # The evaluator takes typed Call objects, e.g. rebuilt from database rows.
    rows = [{"id": "db-1", "language": "en-IN", "context": {"order_value": 100, "currency": "INR"},
             "turns": [{"speaker": "bot", "text": "Confirm?"},
                       {"speaker": "customer", "text": "Connect me to a human agent", "asr_confidence": 0.9}],
             "label": {"escalate": True, "earliest_turn": 0, "latest_turn": 1, "reason": "human_request"}}]
    from voicewatch.eval import Call
    outcomes = evaluate((Call.model_validate(r) for r in rows), Policy.default())
    assert outcomes[0].escalate and outcomes[0].verdict == "on_time"


def test_a_missing_corpus_is_an_error_naming_where_it_looked(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("VOICEWATCH_CORPUS", str(tmp_path / "nowhere.jsonl"))
    with pytest.raises(FileNotFoundError, match="nowhere.jsonl"):
        shared_corpus()
