"""`python -m voicewatch.eval FILE.jsonl [--json] [--policy P.json] [--what-if OTHER.json] [--partials]`.

Replays labelled calls through CallMonitor and reports per-call decisions and
metrics. Invalid input (corpus, policy) prints one line naming the field and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from voicewatch.errors import VoiceWatchValidationError
from voicewatch.eval.corpus import Call, read_jsonl
from voicewatch.eval.metrics import compute
from voicewatch.eval.replay import evaluate
from voicewatch.eval.whatif import compare, metric_delta
from voicewatch.policy import Policy

_HEADLINE = ("recall", "false_escalation_rate", "on_time_rate", "premature_rate", "late_rate", "on_time_recall",
             "reason_accuracy")


def _policy_id(p: Policy) -> dict[str, Any]:
    return {"name": p.name, "version": p.version, "schema_version": p.schema_version}


def run(calls: list[Call], policy: Policy, other: Policy | None, partials: bool) -> dict[str, Any]:
    outcomes = evaluate(calls, policy, partials)
    metrics = compute(outcomes)
    report: dict[str, Any] = {"policy": _policy_id(policy), "calls": [o.to_dict() for o in outcomes],
                              "metrics": metrics}
    if other is not None:
        other_outcomes = evaluate(calls, other, partials)
        other_metrics = compute(other_outcomes)
        report["what_if"] = {"policy": _policy_id(other), "metrics": other_metrics,
                             "delta": metric_delta(metrics, other_metrics),
                             "changes": compare(outcomes, other_outcomes)}
    return report


def _fmt(v: Any) -> str:
    return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def render_text(report: dict[str, Any]) -> str:
    lines = [f"policy {report['policy']['name']} v{report['policy']['version']}", "",
             f"{'call':<14} {'esc':<4} {'turn':>4}  {'reason':<18} {'score':>5}  {'verdict':<16} label"]
    for c in report["calls"]:
        lines.append(f"{c['id']:<14} {'yes' if c['escalate'] else 'no':<4} {c['turn']:>4}  {c['reason'] or '-':<18}"
                     f" {c['score']:>5.2f}  {c['verdict']:<16} {c['label_reason'] or '-'}")
    m = report["metrics"]
    lines += ["", "metrics"] + [f"  {k:<22} {_fmt(m[k])}" for k in _HEADLINE]
    lines += [f"  {'false_escalations':<22} {m['false_escalations']} of {m['routine_calls']} routine calls", "",
              f"{'reason':<18} {'calls':>5} {'esc':>4} {'on_time':>7} {'early':>5} {'late':>4} {'missed':>6}"
              f" {'reason_ok':>9}"]
    for reason, row in m["per_reason"].items():
        lines.append(f"{reason:<18} {row['calls']:>5} {row['escalated']:>4} {row['on_time']:>7} {row['premature']:>5}"
                     f" {row['late']:>4} {row['missed']:>6} {row['reason_match']:>9}")
    if "what_if" in report:
        w = report["what_if"]
        lines += ["", f"what-if: policy {w['policy']['name']} v{w['policy']['version']}"]
        lines += [f"  {k:<22} {_fmt(m[k])} -> {_fmt(w['metrics'][k])}" for k in _HEADLINE]
        lines.append(f"  {len(w['changes'])} calls change")
        for ch in w["changes"]:
            b, a = ch["before"], ch["after"]
            lines.append(f"  {ch['id']:<14} {ch['change']:<20} {ch['effect']:<6}"
                         f" {b['reason'] or 'keep'}@{b['turn']} -> {a['reason'] or 'keep'}@{a['turn']}"
                         f" (label {ch['label_reason']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voicewatch.eval",
                                     description="Replay labelled calls through VoiceWatch and report metrics.")
    parser.add_argument("file", help="calls in the corpus JSONL format")
    parser.add_argument("--json", action="store_true", help="print a JSON report")
    parser.add_argument("--policy", help="policy JSON file (default: Policy.default())")
    parser.add_argument("--what-if", dest="what_if", help="second policy JSON file to compare against")
    parser.add_argument("--partials", action="store_true",
                        help="also feed streaming partial results (every 3 words) before each final")
    args = parser.parse_args(argv)
    try:
        policy = Policy.load(args.policy) if args.policy else Policy.default()
        other = Policy.load(args.what_if) if args.what_if else None
        calls = list(read_jsonl(args.file))
    except VoiceWatchValidationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: cannot read {err.filename}: {err.strerror}", file=sys.stderr)
        return 2
    report = run(calls, policy, other, args.partials)
    try:
        print(json.dumps(report, ensure_ascii=False) if args.json else render_text(report))
    except BrokenPipeError:  # e.g. piped into `head`; not an error of ours
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
