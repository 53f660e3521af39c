"""Per-event decision latency of VoiceWatch's CallMonitor, replaying the shared corpus.

`run(argv)` returns {"events", "p50_ms", "p99_ms", "max_ms", ...}; the repository's
benchmark dispatcher prints it. Standalone: `python benchmarks/voicewatch.py [--json]`.

Every customer turn is also streamed as partial results (every 3 words), since that is
the live load. Text caches are cleared before each timed event by default ("cold"),
so repeated corpus sentences do not flatter the numbers: live calls rarely repeat text.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

_REPO = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    # Run as a script, this file's folder comes first on sys.path and "voicewatch"
    # would resolve to this very file; put the repository root first instead.
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    sys.path.insert(0, str(_REPO))

from voicewatch.eval.corpus import call_events, read_jsonl, shared_corpus  # noqa: E402
from voicewatch.monitor import CallMonitor  # noqa: E402
from voicewatch.policy import Policy  # noqa: E402
from voicewatch.sentiment.scorer import analyse_sentiment  # noqa: E402
from voicewatch.text import normalise  # noqa: E402

TARGET_P99_MS = 5.0


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    k = (len(sorted_ms) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (k - lo)


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="benchmarks voicewatch", add_help=False)
    parser.add_argument("--corpus", help="calls JSONL (default: the shared VoiceWatch corpus)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpus")
    parser.add_argument("--no-partials", action="store_true", help="finals only, no streaming partials")
    parser.add_argument("--warm", action="store_true", help="keep text caches between events")
    args, _ = parser.parse_known_args(argv)  # the dispatcher may pass its own flags (e.g. --json)

    corpus = Path(args.corpus) if args.corpus else shared_corpus()
    calls = list(read_jsonl(corpus))
    policy = Policy.default()
    partials = not args.no_partials

    # One untimed pass loads VADER's lexicon and compiles the phrase lexicons.
    for call in calls[:5]:
        monitor = CallMonitor(policy, call.call_context())
        for event in call_events(call, partials=partials):
            monitor.observe(event)

    timings_ms: list[float] = []
    for _ in range(max(1, args.repeat)):
        for call in calls:
            monitor = CallMonitor(policy, call.call_context())
            for event in call_events(call, partials=partials):
                if not args.warm:
                    analyse_sentiment.cache_clear()
                    normalise.cache_clear()
                start = time.perf_counter()
                monitor.observe(event)
                timings_ms.append((time.perf_counter() - start) * 1000.0)

    timings_ms.sort()
    return {
        "events": len(timings_ms),
        "calls": len(calls) * max(1, args.repeat),
        "p50_ms": round(statistics.median(timings_ms), 4) if timings_ms else 0.0,
        "p99_ms": round(_percentile(timings_ms, 0.99), 4),
        "max_ms": round(timings_ms[-1], 4) if timings_ms else 0.0,
        "mean_ms": round(statistics.fmean(timings_ms), 4) if timings_ms else 0.0,
        "target_p99_ms": TARGET_P99_MS,
        "partials": partials,
        "cold_caches": not args.warm,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        result = run(argv)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if "--json" in argv:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:<14} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
