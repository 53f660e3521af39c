import json
import subprocess
import sys

import pytest

from tests.voicewatch.helpers import REPO
from voicewatch import REASONS, Policy, PolicyError


def test_default_covers_every_reason_with_a_queue() -> None:
    p = Policy.default()
    assert set(p.reasons) == set(REASONS) and set(p.priority) == set(REASONS)
    assert all(rule.queue for rule in p.reasons.values())
    assert p.schema_version == 1 and p.version == 1


def test_json_round_trip() -> None:
    p = Policy.default()
    again = Policy.from_json(p.to_json())
    assert again == p
    data = json.loads(p.to_json())
    assert data["high_value"]["INR"] == 50000 and data["thresholds"]["asr_low"] == 0.5


def test_partial_policy_fills_defaults() -> None:
    p = Policy.coerce({"version": 7, "name": "collections-q3", "reasons": {"anger": {"queue": "retention"}},
                       "high_value": {"INR": 20000}})
    assert p.version == 7 and p.rule("anger").queue == "retention"
    assert p.rule("legal_threat").queue == "legal"
    assert p.high_value_threshold("INR") == 20000 and p.high_value_threshold("USD") is None


@pytest.mark.parametrize(("data", "field"), [
    ({"reasons": {"anger": {"treshold": 0.5}}}, "policy.reasons.anger.treshold"),
    ({"reasons": {"anger": {"threshold": 1.5}}}, "policy.reasons.anger.threshold"),
    ({"reasons": {"angry": {"threshold": 0.5}}}, "policy.reasons.angry"),
    ({"thresholds": {"asr_low": -1}}, "policy.thresholds.asr_low"),
    ({"signal_weights": {"prosody": 1.0}}, "policy.signal_weights.prosody"),
    ({"high_value": {"inr": 5}}, "policy.high_value"),
    ({"version": 0}, "policy.version"),
    ({"schema_version": 2}, "policy.schema_version"),
    ({"colour": "blue"}, "policy.colour"),
    ({"reasons": {"anger": {"escalate": True, "queue": ""}}}, "policy.reasons.anger.queue"),
])
def test_invalid_policy_names_the_field(data: dict, field: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(data)
    assert any(f.startswith(field) for f in info.value.fields), info.value.fields
    assert field in str(info.value)


def test_not_json() -> None:
    with pytest.raises(PolicyError, match="not valid JSON"):
        Policy.from_json("{nope")


def test_reason_can_be_switched_off() -> None:
    from voicewatch import CallMonitor
    off = {"reasons": {"human_request": {"escalate": False, "queue": None}}}
    d = CallMonitor(off).observe({"type": "utterance", "text": "I want to talk to a real person"})
    assert not d.escalate and "does not escalate" in d.explanation


def test_eval_cli_rejects_bad_policy_with_one_line(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"reasons": {"anger": {"threshold": 3}}}), encoding="utf-8")
    corpus = tmp_path / "calls.jsonl"
    corpus.write_text("", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "voicewatch.eval", str(corpus), "--policy", str(bad)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "policy.reasons.anger.threshold" in lines[0]
