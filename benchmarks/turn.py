"""How long the customer waits for the bot's answer, on the real stack.

    python -m benchmarks turn --json [--calls 12] [--concurrency 2] [--asr ENGINE] [--keep]

One run starts its own Asterisk (the shared chroot, free ports), Redis and ``python -m pbx``
with its bot (a fresh TTS cache: nothing was synthesised before the run), then places
``--calls`` bot calls, ``--concurrency`` at a time, the way the dialer does (``OriginateCall``
on the command stream, order-confirmation flow, a different lead each) to simulated customers
with their own phone line (:mod:`ops.simulator.line_customer`): they speak their script's lines
(flite's voice) over RTP and listen over the same socket, each line once the bot has been
silent for 0.9 s. Scripts answer yes, no, cancel, change the date, call back later, so calls
take one to three turns and replies are both prompts known in advance and prompts naming what
the customer just said (which only streaming can speed up). A first call warms the stack up
and is not counted.

A turn, on the customer's side: its last non-silent frame sent → the first non-silent frame of
the bot's reply received (``p50_s``, ``p95_s`` over ``n`` turns). ``breakdown``: medians of the
turn's parts by pbx's own marks (:mod:`pbx.bot.turn_timing`), so they add up to about the
whole: ``endpoint_s`` last sound sent → pbx's VAD ends the utterance; ``asr_s`` → the final
transcript is on the call's event loop; ``dialog_s`` → the dialog chose the reply (includes
the bot's wait after a short "Yes."); ``tts_s`` → the reply's first audio is ready;
``playout_s`` → its first non-silent frame reaches the customer (pbx's 20 ms line clock,
Asterisk's bridges, the engine's own lead silence).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks._bot_stack import TURNS_FILE, bench_work, start_timed_pbx
from benchmarks._line_calls import LineCalls, PlacedCall
from benchmarks.dialer import _throwaway_stack
from contactcenter.site.config import StackConfig
from ops.simulator.customer import CustomerScript
from ops.simulator.line_customer import LineRun
from ops.stack.asterisk import AsteriskInstance
from ops.stack.processes import free_port

PARTS = ("endpoint_s", "asr_s", "dialog_s", "tts_s", "playout_s")

SCRIPTS = (
    CustomerScript("change", ("No, that is not right.", "I want to change the delivery date.",
                              "Please deliver it next Monday instead."), linger_s=6.0),
    CustomerScript("callback", ("I am busy right now, please call me later.", "Tomorrow evening after six."),
                   linger_s=6.0),
    CustomerScript("cancel", ("No, that is not right.", "Please cancel the order."), linger_s=6.0),
    CustomerScript("confirm", ("Yes, please deliver it.",), linger_s=6.0),
)  # fmt: skip
PEOPLE = (("Asha", "a steel water bottle", "499"), ("Rahul", "a pair of running shoes", "2999"),
          ("Meera", "a cotton bedsheet", "899"), ("Vikram", "a desk lamp", "1299"), ("Priya", "a yoga mat", "699"),
          ("Arjun", "a phone cover", "299"), ("Kavya", "a table fan", "1899"), ("Sanjay", "a backpack", "1499"))  # fmt: skip


def _lead(i: int) -> dict[str, str]:
    name, item, amount = PEOPLE[i % len(PEOPLE)]
    return {"first_name": name, "order_id": f"A{2001 + i}", "item": item, "amount": amount, "currency": "rupees"}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


def pbx_turns(path: Path) -> dict[str, list[dict[str, float]]]:
    """pbx's marks per call id, in the order the replies went out."""
    by_call: dict[str, list[dict[str, float]]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            with contextlib.suppress(ValueError):
                marks = json.loads(line)
                by_call.setdefault(marks.pop("call_id"), []).append(marks)
    return by_call


def measure(runs: dict[str, LineRun], marks: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    """Each customer turn with a reply, with pbx's marks of that reply (the last one sent before it
    was heard, after the customer's line ended) when there are any."""
    totals: list[float] = []
    parts: dict[str, list[float]] = {p: [] for p in PARTS}
    unmatched = 0
    for call_id, run in runs.items():
        for turn in run.turns:
            if turn.said_end is None or turn.reply_start is None:
                continue
            totals.append(turn.reply_start - turn.said_end)
            candidates = [m for m in marks.get(call_id, []) if "heard" in m
                          and turn.said_end <= m["sent"] <= turn.reply_start]  # fmt: skip
            if not candidates:
                unmatched += 1
                continue
            m = max(candidates, key=lambda c: c["sent"])
            steps = (turn.said_end, m["heard"], m.get("understood", m["heard"]), m["decided"], m["voiced"],
                     turn.reply_start)  # fmt: skip
            for name, (a, b) in zip(PARTS, zip(steps, steps[1:])):
                parts[name].append(b - a)
    return {
        "n": len(totals),
        "p50_s": round(statistics.median(totals), 3) if totals else None,
        "p95_s": round(percentile(totals, 95), 3) if totals else None,
        "max_s": round(max(totals), 3) if totals else None,
        "breakdown": {p: round(statistics.median(v), 3) if v else None for p, v in parts.items()},
        "turns_without_pbx_marks": unmatched,
    }


async def _calls(asterisk: AsteriskInstance, redis_url: str, count: int, concurrency: int,
                 call_timeout: float) -> tuple[dict[str, LineRun], int]:  # fmt: skip
    """Warm-up call, then ``count`` calls; returns {call id: customer run} and the calls that timed out."""
    async with LineCalls(asterisk, redis_url) as lines:
        slots = asyncio.Semaphore(concurrency)

        async def call(i: int, script: CustomerScript) -> PlacedCall:
            async with slots:
                return await lines.place(script, _lead(i), call_timeout)

        await call(-1, SCRIPTS[-1])  # warm-up: first inference, first synthesis, first bridge
        placed = await asyncio.gather(*(call(i, SCRIPTS[i % len(SCRIPTS)]) for i in range(count)))
    return {p.call_id: p.run for p in placed}, sum(not p.ended for p in placed)


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="benchmarks turn", add_help=False)
    parser.add_argument("--calls", type=int, default=12, help="calls measured (one to three turns each)")
    parser.add_argument("--concurrency", type=int, default=2, help="calls at a time")
    parser.add_argument("--asr", help="CC_ASR_ENGINE for pbx (default: what the stack's tests use)")
    parser.add_argument("--call-timeout", type=float, default=120.0, help="seconds one call may take")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, marks)")
    args, _ = parser.parse_known_args(argv)

    began = time.monotonic()
    with bench_work("cc-bench-turn-", args.keep) as (work, cleanup):
        asterisk, redis_server = _throwaway_stack(cleanup, StackConfig.from_env().asterisk_root, work,
                                                  free_port(udp=True), max(4, args.concurrency * 4))  # fmt: skip
        env = {"CC_TTS_CACHE_DIR": str(work / "tts")}
        if args.asr:
            env["CC_ASR_ENGINE"] = args.asr
        pbx = start_timed_pbx(cleanup, asterisk, redis_server.url, work, env)
        setup_s = time.monotonic() - began
        runs, timed_out = asyncio.run(_calls(asterisk, redis_server.url, args.calls, args.concurrency,
                                             args.call_timeout))  # fmt: skip
        pbx.stop()
        result = measure(runs, pbx_turns(work / TURNS_FILE))
        if args.keep:  # the customers' side, beside pbx's marks, to look into a turn
            (work / "customer-turns.json").write_text(json.dumps(
                {call_id: [vars(t) for t in r.turns] for call_id, r in runs.items()}, indent=1))  # fmt: skip
    result.update({"calls": args.calls, "concurrency": args.concurrency, "calls_timed_out": timed_out,
                   "asterisk_instance": asterisk.settings.instance,
                   "setup_s": round(setup_s, 1), "total_s": round(time.monotonic() - began, 1)})  # fmt: skip
    if args.keep:
        result["work_dir"] = str(work)
    return result
