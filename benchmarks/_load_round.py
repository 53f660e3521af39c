"""One round of the load benchmark: what N calls at once left behind, and its figures.

Read after the round, from three places that do not depend on each other:

- the customers' side (:class:`benchmarks._line_calls.PlacedCall`): whether each customer's
  call ended, and its turns (its last sound sent → the bot's first sound heard);
- pbx's event stream: how each call ended (``call.ended``'s outcome) and, for the calls that
  escalated, the decision (``call.escalated``'s ``decided_at``) → the caller bridged to the agent
  (``call.agent_connected``, Asterisk's time of AgentConnect, after the whispered summary);
- Asterisk's AMI, watched by the benchmark (:class:`benchmarks.escalation.AmiWatch`): when the
  agent's phone answered (``Newstate`` Up of their leg), so decision → pick-up;
- pbx's call ledger (its SQLite file): which of the calls it holds as ended.

A call is **lost** when the customer's side did not end in time, pbx never reported its end, it
ended without an outcome the customer could have been given (failed, hung up on a silent bot,
no response, abandoned in the queue), or a line the customer said got no answer (left in
silence). A **lost ledger row**: a call placed that the ledger does not hold as ended.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks._line_calls import PlacedCall
from benchmarks.turn import measure, percentile
from pbx.api import AgentConnected, CallEnded, CallEscalated, CallOutcome, Event, parse_event

# Outcomes that mean the customer was not served: the call is counted lost.
LOST_OUTCOMES = frozenset({CallOutcome.FAILED, CallOutcome.HUNG_UP, CallOutcome.NO_RESPONSE, CallOutcome.ABANDONED})


@dataclass(frozen=True)
class CallReport:
    """One call of a round, as the three sources saw it."""

    call_id: str
    script: str
    customer_ended: bool
    unanswered_lines: tuple[int, ...]  # lines (1-based) the customer said that no sound of the bot followed
    outcome: str | None  # call.ended's, None if pbx never reported the end
    in_ledger_ended: bool
    reached_agent: bool  # call.agent_connected: a person took over (the bot's silence is theirs to fill)
    lines_said: int = 0

    @property
    def lost_because(self) -> str:
        """Why the call is lost, or "" if it is not."""
        if not self.customer_ended:
            return "customer still on the line"
        if self.outcome is None:
            return "no call.ended"
        if self.outcome in LOST_OUTCOMES:
            return f"outcome {self.outcome}"
        if self.unanswered_lines and not self.reached_agent:
            lines = ", ".join(str(i) for i in self.unanswered_lines)
            return f"left in silence after line {lines} of {self.lines_said}"
        return ""


def read_events(client: Any, after_id: str) -> tuple[list[Event], str]:
    """pbx's events on ``EVENTS_STREAM`` after ``after_id`` (a sync Redis client), and the last id."""
    from pbx.api import EVENTS_STREAM

    events: list[Event] = []
    while True:
        entries = client.xrange(EVENTS_STREAM, min=f"({after_id}", count=1000)
        if not entries:
            return events, after_id
        for entry_id, fields in entries:
            with contextlib.suppress(ValueError):
                events.append(parse_event(fields))
            after_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id


def ledger_ended(ledger_file: Path, call_ids: Iterable[str]) -> set[str]:
    """The calls among ``call_ids`` that pbx's ledger holds as ended (read-only)."""
    ids = list(call_ids)
    if not ids or not ledger_file.exists():
        return set()
    with contextlib.closing(sqlite3.connect(f"file:{ledger_file}?mode=ro", uri=True, timeout=10)) as db:
        marks = ",".join("?" * len(ids))
        rows = db.execute(f"SELECT id FROM ledger_calls WHERE ended_at IS NOT NULL AND id IN ({marks})", ids)
        return {row[0] for row in rows}


def escalation_waits(events: Iterable[Event], picked_up: dict[str, float]) -> tuple[list[float], list[float]]:
    """Per escalated call, in seconds: its decision → the agent's phone answered (``picked_up``:
    call id → when), and its decision → the caller bridged to the agent (AgentConnect)."""
    decided: dict[str, float] = {}
    bridged: dict[str, float] = {}
    for event in events:
        if isinstance(event, CallEscalated) and event.call_id and event.decided_at is not None:
            decided.setdefault(event.call_id, event.decided_at)
        elif isinstance(event, AgentConnected) and event.call_id:
            bridged.setdefault(event.call_id, event.asterisk_ts or event.at)
    return ([picked_up[c] - decided[c] for c in decided if c in picked_up],
            [bridged[c] - decided[c] for c in decided if c in bridged])  # fmt: skip


def call_reports(placed: Sequence[PlacedCall], events: list[Event], ended_in_ledger: set[str]) -> list[CallReport]:
    outcomes = {e.call_id: str(e.outcome) for e in events if isinstance(e, CallEnded) and e.call_id}
    with_agent = {e.call_id for e in events if isinstance(e, AgentConnected)}
    return [
        CallReport(p.call_id, p.run.script.name, p.ended,
                   tuple(i for i, t in enumerate(p.run.turns, 1) if t.said_end is not None and t.reply_start is None),
                   outcomes.get(p.call_id), p.call_id in ended_in_ledger, p.call_id in with_agent, len(p.run.turns))
        for p in placed
    ]  # fmt: skip


def summarise_round(n: int, placed: Sequence[PlacedCall], events: list[Event], ended_in_ledger: set[str],
                    marks: dict[str, list[dict[str, float]]], picked_up: dict[str, float], cpu_s: float,
                    wall_s: float) -> dict[str, Any]:  # fmt: skip
    """The round's figures. ``cpu_s``: CPU seconds of Asterisk, pbx and Redis over the round
    (``wall_s`` long). ``cpu_per_call``: the cores one call takes while it lasts, cpu_s over the
    calls' seconds (each from its command to its customer's hang-up)."""
    reports = call_reports(placed, events, ended_in_ledger)
    ids = {p.call_id for p in placed}
    turns = measure({p.call_id: p.run for p in placed}, marks)
    to_pickup, to_bridged = escalation_waits((e for e in events if e.call_id in ids), picked_up)
    escalated = sum(1 for r in reports if r.outcome == CallOutcome.ESCALATED)
    lost = {r.call_id: f"{r.script}: {r.lost_because}" for r in reports if r.lost_because}
    call_s = sum(p.duration_s for p in placed)
    outcomes: dict[str, int] = {}
    for r in reports:
        outcomes[r.outcome or "none"] = outcomes.get(r.outcome or "none", 0) + 1
    return {
        "n": n,
        "turn_p95_s": turns["p95_s"],
        "turn_p50_s": turns["p50_s"],
        "turns": turns["n"],
        "turn_breakdown": turns["breakdown"],
        "escalation_p95_s": _p95(to_pickup),
        "escalation_bridged_p95_s": _p95(to_bridged),
        "escalations_answered": len(to_bridged),
        "escalated": escalated,
        "lost_calls": len(lost),
        "lost": sorted(set(lost.values())),
        "lost_ledger_rows": len(ids - ended_in_ledger),
        "cpu_per_call": round(cpu_s / call_s, 3) if call_s > 0 else None,
        "cpu_s": round(cpu_s, 2),
        "wall_s": round(wall_s, 1),
        "outcomes": dict(sorted(outcomes.items())),
    }


def _p95(values: list[float]) -> float | None:
    return round(percentile(values, 95), 3) if values else None
