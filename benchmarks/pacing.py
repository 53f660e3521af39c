"""AI-first pacing against queueing theory, in a discrete-event simulation of the real pacer.

`run(argv)` returns {"ai_calls_per_hour", "escalations", "pct_escalations_answered_within_2s",
"agent_occupancy", "erlang_c_limit_ai_calls_per_hour", "ratio_to_limit", "goal_met", "naive":
{...}, ...}; the repository's benchmark dispatcher prints it:

    python -m benchmarks pacing --json --agents 10 --escalation-rate 0.15 --ai-aht 120 \\
        --human-aht 240 --ai-lines 100 --hours 8 --seed 1

The model (``contactcenter.campaigns.pacing_simulation``): AI calls last Exp(ai-aht) s; a call
escalates with probability E at a uniformly random point of it and frees its AI line; the
caller waits in one FIFO queue for H agents who handle it for Exp(human-aht) s. Every second
``pacing.decide`` sees what the dialer would see and starts calls.

The limit is Erlang C's: the most escalations per hour H agents answer with
P(wait ≤ 2 s) ≥ 95% (M/M/H), divided by E, or the AI lines' limit
(L × 3600 / mean AI line time, where an escalating call holds its line half as long on
average), whichever is lower. The goal: ≥ 95% of escalations answered within 2 s at ≥ 90% of
that limit. "naive" is a pacer that keeps every AI line busy.

"prealert" is the same run with pre-alert: VoiceWatch flags a call at risk before it
escalates, a free agent is reserved for it (the pacer counts them busy) and answers at once on
escalation; a false alarm holds an agent until the risk falls back. Nothing here is measured
yet, so the defaults are assumptions, chosen not to flatter it: half the escalations flagged
(``--prealert-share 0.5``), 8 s ahead (``--prealert-lead``), and 5% of the calls that never
escalate flagged anyway (``--prealert-false-rate 0.05``, at 5% escalations as many false
alarms as true ones), each holding an agent for 20 s (``--prealert-hold``).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contactcenter.campaigns.pacing_simulation import (  # noqa: E402
    AiFirstRun,
    AiFirstScenario,
    naive_pacer,
    simulate_ai_first,
)

GOAL_RATIO = 0.90  # of the Erlang C limit
GOAL_ANSWERED_PCT = 95.0  # within 2 s


def scenario_from(argv: list[str]) -> AiFirstScenario:
    parser = argparse.ArgumentParser(prog="benchmarks pacing", add_help=False)
    parser.add_argument("--agents", type=int, default=10, help="human agents (H)")
    parser.add_argument("--escalation-rate", type=float, default=0.15, help="share of AI calls escalated (E)")
    parser.add_argument("--ai-aht", type=float, default=120.0, help="mean AI call, seconds")
    parser.add_argument("--human-aht", type=float, default=240.0, help="mean agent handle time, seconds")
    parser.add_argument("--ai-lines", type=int, default=100, help="the campaign's AI line limit (L)")
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prior", type=float, default=None,
                        help="the campaign's escalation_rate_prior (default: the true rate, as an admin would set it)")
    parser.add_argument("--prealert-share", type=float, default=0.5, help="pre-alert: escalations flagged ahead")
    parser.add_argument("--prealert-lead", type=float, default=8.0, help="pre-alert: seconds ahead")
    parser.add_argument("--prealert-false-rate", type=float, default=0.05,
                        help="pre-alert: share of calls that do not escalate flagged anyway")
    parser.add_argument("--prealert-hold", type=float, default=20.0, help="pre-alert: a false alarm's hold, seconds")
    args, _ = parser.parse_known_args(argv)  # the dispatcher may pass its own flags (e.g. --json)
    if args.agents < 1 or args.ai_lines < 1 or not 0 < args.escalation_rate <= 1 or args.hours <= 0:
        raise SystemExit("need --agents ≥ 1, --ai-lines ≥ 1, 0 < --escalation-rate ≤ 1, --hours > 0")
    return AiFirstScenario(
        agents=args.agents, escalation_rate=args.escalation_rate, mean_ai_call_s=args.ai_aht,
        mean_handle_s=args.human_aht, ai_lines=args.ai_lines, hours=args.hours, seed=args.seed,
        prior=args.escalation_rate if args.prior is None else args.prior,
        prealert_share=args.prealert_share, prealert_lead_s=args.prealert_lead,
        prealert_false_rate=args.prealert_false_rate, prealert_hold_s=args.prealert_hold,
    )  # fmt: skip


def _judged(result: AiFirstRun, limit: float) -> dict[str, Any]:
    out: dict[str, Any] = result.summary()
    out["ratio_to_limit"] = round(out["ai_calls_per_hour"] / limit, 3) if limit else 0.0
    out["goal_met"] = (out["pct_escalations_answered_within_2s"] >= GOAL_ANSWERED_PCT
                       and out["ratio_to_limit"] >= GOAL_RATIO)  # fmt: skip
    out["max_wait_s"] = round(result.max_wait_s, 1)
    out["max_ai_lines_used"] = result.max_lines_used
    return out


def run(argv: list[str]) -> dict[str, Any]:
    scenario = scenario_from(argv)
    started = time.perf_counter()
    limits = scenario.erlang_c_limit_per_hour()
    without = replace(scenario, prealert_share=0.0, prealert_false_rate=0.0)
    ours = _judged(simulate_ai_first(without), limits["limit"])
    with_prealert = simulate_ai_first(scenario)
    prealert = _judged(with_prealert, limits["limit"])
    prealert["reserved_share"] = round(with_prealert.reserved_answers / max(1, with_prealert.escalations), 3)
    naive = _judged(simulate_ai_first(without, pacer=naive_pacer), limits["limit"])
    return {
        **{k: ours[k] for k in ("ai_calls_per_hour", "escalations", "pct_escalations_answered_within_2s",
                                "agent_occupancy")},
        "erlang_c_limit_ai_calls_per_hour": round(limits["limit"], 1),
        "ratio_to_limit": ours["ratio_to_limit"],
        "goal_met": ours["goal_met"],
        "limit_bound": "humans" if limits["humans"] <= limits["lines"] else "lines",
        "erlang_c_escalations_per_hour": round(limits["escalations_per_hour"], 1),
        "line_limit_ai_calls_per_hour": round(limits["lines"], 1),
        "max_wait_s": ours["max_wait_s"],
        "max_ai_lines_used": ours["max_ai_lines_used"],
        "naive": naive,
        "prealert": {**prealert, "share": scenario.prealert_share, "lead_s": scenario.prealert_lead_s,
                     "false_rate": scenario.prealert_false_rate, "hold_s": scenario.prealert_hold_s},
        "params": {"agents": scenario.agents, "escalation_rate": scenario.escalation_rate,
                   "ai_aht": scenario.mean_ai_call_s, "human_aht": scenario.mean_handle_s,
                   "ai_lines": scenario.ai_lines, "hours": scenario.hours, "seed": scenario.seed,
                   "prior": scenario.prior},
        "seconds": round(time.perf_counter() - started, 2),
    }  # fmt: skip


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1:])))
