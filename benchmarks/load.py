"""How many AI calls at once the stack carries before the customer waits too long or a call is lost.

    python -m benchmarks load --json [--start 2] [--step 2] [--max 40] [--calls N]
                                     [--round-calls 2N] [--turn-limit-s 1.5] [--warm-up 5]
                                     [--asr ENGINE] [--keep]

One run starts its own Asterisk (the shared chroot, free ports) whose queue ``support`` rings
agents answered by one sipp softphone process (``ops/simulator/agent_uas.xml``: 300 ms ring),
Redis, and ``python -m pbx`` with its bot and speech in-process, writing its call ledger (the
ledger follower) into a fresh SQLite file. Then rounds: N order-confirmation calls up at once,
placed as the dialer places them (``OriginateCall`` on the command stream), each to a simulated
customer with its own phone line (:mod:`benchmarks._line_calls`) speaking recorded phrases over
RTP: one call in five asks for a real person and is escalated to an agent, the others change the
date, ask for a callback, confirm or cancel (one to three turns). A round places
``--round-calls`` calls (twice N, at least 8), a new one as each ends, so calls soon run at
different points of their conversation and a round has turns enough for a p95. N starts at
``--start`` and grows by ``--step`` until a round's turn p95 passes ``--turn-limit-s`` or a call
is lost (or N would pass ``--max``); ``--calls N`` runs the one round of N. One call of each
script (``--warm-up``) warms the stack up first (not counted); pbx uses the stack's TTS cache, as
a running deployment does. Each round starts on a quiet stack (no channel left, pbx, Asterisk
and Redis idle, the ledger written).

``max_concurrent_calls``: the last N whose round passed (0 if none did), with that round's
figures (:mod:`benchmarks._load_round`; of the first round when none passed):

- ``turn_p95_s``: the customer's last sound sent → the bot's first sound heard, over every turn;
- ``escalation_p95_s``: the escalation decision → the agent's phone answered (AMI ``Newstate``
  Up of their leg); ``escalation_bridged_p95_s``: → the caller bridged to them, after the
  whispered summary (AgentConnect);
- ``lost_calls``: calls without an end and an outcome, or left in silence;
- ``lost_ledger_rows``: calls placed that pbx's ledger does not hold as ended (by call id);
- ``cpu_per_call``: cores one call takes (CPU seconds of Asterisk + pbx + Redis per second of
  call; the simulated customers and agents are not counted).

``rounds`` holds every round's figures; ``stopped_by`` says why the raising stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from benchmarks._bot_stack import TURNS_FILE, bench_work, start_timed_pbx
from benchmarks._cpu import CpuMeter, wait_until_quiet
from benchmarks._line_calls import LineCalls, PlacedCall
from benchmarks._load_round import ledger_ended, read_events, summarise_round
from benchmarks.dialer import _throwaway_stack, _wait_ledger_idle, _wait_no_channels
from benchmarks.escalation import AmiWatch, EscalationTiming
from benchmarks.turn import SCRIPTS, _lead, pbx_turns
from contactcenter.site.config import StackConfig
from ops.simulator.customer import CustomerScript
from ops.simulator.sip_agent import SippAgent
from ops.stack.asterisk import AsteriskInstance
from ops.stack.pbx_process import PbxProcess
from ops.stack.processes import free_port, wait_for
from ops.stack.redis_server import RedisServer
from pbx.ami import AmiLink
from pbx.ami_listener import AmiQueueListener
from pbx.api import CallEnded
from pbx.ledger.urls import SQLITE_FILE_NAME

# The agent's phone sends no sound: the customer talks to them until max_call_s, then hangs up.
ASKS_FOR_A_PERSON = CustomerScript("human", ("Can I please talk to a real person?",), linger_s=6.0, max_call_s=40.0)
CHANGE, CALLBACK, CANCEL, CONFIRM = SCRIPTS
# One in five escalates; a round's first two calls include it (so even small rounds measure it).
MIX = (CHANGE, ASKS_FOR_A_PERSON, CALLBACK, CONFIRM, CANCEL)
UNIT = "cores per call: CPU seconds of Asterisk + pbx + Redis per second of call"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks load")
    parser.add_argument("--calls", type=int, help="one round of this many calls at once (no raising)")
    parser.add_argument("--start", type=int, default=2, help="calls at once in the first round")
    parser.add_argument("--step", type=int, default=2, help="calls added each round")
    parser.add_argument("--max", type=int, default=40, help="no round above this many calls")
    parser.add_argument("--round-calls", type=int, default=0,
                        help="calls a round places, N at a time (default: twice N, at least 8)")
    parser.add_argument("--turn-limit-s", type=float, default=1.5, help="a round passes with turn p95 up to this")
    parser.add_argument("--warm-up", type=int, default=len(MIX),
                        help="calls at once before the rounds, not counted")  # fmt: skip
    parser.add_argument("--asr", help="CC_ASR_ENGINE for pbx (default: what the stack's tests use)")
    parser.add_argument("--call-timeout", type=float, default=150.0, help="seconds one call may take")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, marks)")
    return parser


def passed(figures: dict[str, Any], turn_limit_s: float) -> bool:
    p95 = figures["turn_p95_s"]
    return p95 is not None and p95 <= turn_limit_s and figures["lost_calls"] == 0 and figures["lost_ledger_rows"] == 0


def headline(rounds: list[dict[str, Any]], turn_limit_s: float) -> dict[str, Any]:
    """The last round that passed before the first that did not (the first round if none did)."""
    best = None
    for figures in rounds:
        if not passed(figures, turn_limit_s):
            break
        best = figures
    shown = best or rounds[0]
    return {"max_concurrent_calls": best["n"] if best else 0,
            **{k: shown[k] for k in ("turn_p95_s", "escalation_p95_s", "escalation_bridged_p95_s", "lost_calls",
                                     "lost_ledger_rows", "cpu_per_call")},
            "cpu_per_call_unit": UNIT}  # fmt: skip


class LoadStack:
    """The throwaway stack of one run and what a round reads from it."""

    def __init__(self, asterisk: AsteriskInstance, redis_server: RedisServer, pbx: PbxProcess,
                 turns_file: Path) -> None:  # fmt: skip
        import redis

        self.asterisk = asterisk
        self.pbx = pbx
        self.redis_url = redis_server.url
        self.turns_file = turns_file
        self.redis = redis.Redis.from_url(self.redis_url)
        self.pids = {"asterisk": asterisk.process.pid, "pbx": pbx.process.pid, "redis": redis_server.process.pid}

    def settle(self) -> None:
        """A quiet stack: no channel left, the processes idle, the ledger written."""
        began = time.monotonic()
        _wait_no_channels(self.asterisk, 60)
        quiet = wait_until_quiet(self.pids, 60)
        _wait_ledger_idle(self.pbx)
        _say(f"settled in {time.monotonic() - began:.1f} s" + ("" if quiet else " (the stack never went quiet)"))

    def events_cursor(self) -> str:
        from pbx.api import EVENTS_STREAM

        last = self.redis.xrevrange(EVENTS_STREAM, count=1)
        return last[0][0].decode() if last else "0-0"

    def figures(self, n: int, placed: list[PlacedCall], cursor: str, picked_up: dict[str, float], cpu_s: float,
                wall_s: float) -> dict[str, Any]:  # fmt: skip
        ids = {p.call_id for p in placed}
        events: list = []

        def all_ended() -> bool:
            nonlocal cursor
            more, cursor = read_events(self.redis, cursor)
            events.extend(more)
            return ids <= {e.call_id for e in events if isinstance(e, CallEnded)}

        with contextlib.suppress(Exception):  # a call pbx never ends is counted lost below
            wait_for(all_ended, 15, "pbx to report every call's end")
        _wait_ledger_idle(self.pbx)
        ended = ledger_ended(self.pbx.var_dir / SQLITE_FILE_NAME, ids)
        return summarise_round(n, placed, events, ended, pbx_turns(self.turns_file), picked_up, cpu_s, wall_s)


@contextlib.asynccontextmanager
async def _watching_agents(asterisk: AsteriskInstance) -> AsyncIterator[AmiWatch]:
    """Asterisk's AMI, for when each escalated call's agent picks up (pbx reports the bridge only).
    Register a call as ``watch.by_channel[call_id]``: pbx's channel id is the call id, and every
    channel of the call, the agent's leg too, carries it as its linked id."""
    s = asterisk.settings
    ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
    watch = AmiWatch()
    listening = asyncio.create_task(AmiQueueListener(ami, AmiWatch.EVENTS).run([watch.on_event]))
    try:
        await ami.start()
        yield watch
    finally:
        ami.close()
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening


async def _rounds(stack: LoadStack, sizes: list[int], args: argparse.Namespace) -> list[dict[str, Any]]:
    rounds: list[dict[str, Any]] = []
    meter = CpuMeter(stack.pids)
    async with LineCalls(stack.asterisk, stack.redis_url) as lines, _watching_agents(stack.asterisk) as watch:

        def watched(call_id: str) -> None:
            watch.by_channel[call_id] = EscalationTiming(call_id)

        async def calls(n: int, total: int, offset: int = 0) -> list[PlacedCall]:
            """``total`` calls, ``n`` at a time: each one that ends is replaced by the next."""
            slots = asyncio.Semaphore(n)

            async def call(i: int) -> PlacedCall:
                async with slots:
                    return await lines.place(MIX[i % len(MIX)], _lead(offset + i), args.call_timeout,
                                             before_send=watched)  # fmt: skip

            return list(await asyncio.gather(*(call(i) for i in range(total))))

        if args.warm_up:  # first inference, synthesis, bridge and escalation
            _say(f"warm-up: {args.warm_up} calls")
            await calls(args.warm_up, args.warm_up, offset=len(MIX))
        for n in sizes:
            await asyncio.to_thread(stack.settle)
            cursor = stack.events_cursor()
            meter.start()
            began = time.monotonic()
            placed = await calls(n, args.round_calls or max(2 * n, 8))
            wall_s = time.monotonic() - began
            cpu = meter.stop()
            picked_up = {c: t.picked_up_at for c, t in watch.by_channel.items() if t.picked_up_at is not None}
            figures = await asyncio.to_thread(stack.figures, n, placed, cursor, picked_up,
                                              sum(v for k, v in cpu.items() if k in stack.pids),
                                              wall_s)  # fmt: skip
            rounds.append(figures)
            if args.keep:  # the customers' side, beside pbx's marks, to look into a turn
                (stack.turns_file.parent / f"customer-turns-{n}.json").write_text(json.dumps(
                    {p.call_id: [vars(t) for t in p.run.turns] for p in placed}, indent=1))  # fmt: skip
            _say(f"round of {n}: turn p95 {figures['turn_p95_s']} s, escalation p95 {figures['escalation_p95_s']} s, "
                 f"lost calls {figures['lost_calls']} {figures['lost']}, "
                 f"lost ledger rows {figures['lost_ledger_rows']}")
            if not passed(figures, args.turn_limit_s):
                break
    return rounds


def _say(line: str) -> None:
    print(f"[load] {line}", file=sys.stderr, flush=True)


def run(argv: list[str]) -> dict[str, Any]:
    args = _parser().parse_args(argv)
    sizes = [args.calls] if args.calls else list(range(args.start, args.max + 1, args.step))
    if not sizes or min(sizes) < 1:
        raise ValueError("rounds need at least one call: check --calls, --start, --step and --max")
    began = time.monotonic()
    with bench_work("cc-bench-load-", args.keep) as (work, cleanup):
        agent_port = free_port(udp=True)
        # Escalated calls wait for nobody: an agent for each escalation a round can have at once.
        agents = math.ceil(max(sizes) / len(MIX)) + 1
        asterisk, redis_server = _throwaway_stack(cleanup, StackConfig.from_env().asterisk_root, work,
                                                  free_port(udp=True), 3 * max(sizes), agents, agent_port)  # fmt: skip
        agent_phones = SippAgent("agents", agent_port, work / "agents", calls=100000)
        cleanup.callback(agent_phones.stop)
        agent_phones.start()
        # The stack's TTS cache, as a running deployment has it (the turn benchmark starts cold).
        pbx = start_timed_pbx(cleanup, asterisk, redis_server.url, work,
                              {"CC_ASR_ENGINE": args.asr} if args.asr else {})  # fmt: skip
        stack = LoadStack(asterisk, redis_server, pbx, work / TURNS_FILE)
        setup_s = time.monotonic() - began
        rounds = asyncio.run(_rounds(stack, sizes, args))
    last = rounds[-1]
    stopped_by = ("fixed size" if args.calls else "the largest size" if passed(last, args.turn_limit_s)
                  else f"round of {last['n']}: turn p95 {last['turn_p95_s']} s, lost calls {last['lost_calls']}"
                       f", lost ledger rows {last['lost_ledger_rows']}")  # fmt: skip
    result = {**headline(rounds, args.turn_limit_s), "stopped_by": stopped_by, "rounds": rounds,
              "agents": agents, "asterisk_instance": asterisk.settings.instance,
              "setup_s": round(setup_s, 1), "total_s": round(time.monotonic() - began, 1)}  # fmt: skip
    if args.keep:
        result["work_dir"] = str(work)
    return result
