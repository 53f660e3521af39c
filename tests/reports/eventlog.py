"""A fixed day on the floor, written as pbx would tell it, for figures computed by hand.

:func:`fixed_log` is the day every report test uses: nine calls and two agents' state changes,
at times chosen so each figure is a small sum (tests/reports/test_figures.py shows the sums).
Times are seconds after ``DAY`` (2026-03-02 00:00 UTC); :func:`at` spells a time of day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contactcenter.reports.timeline import StateChange
from pbx.api import (
    AgentConnected,
    AgentStateChanged,
    CallAnswered,
    CallEnded,
    CallEscalated,
    CallQueued,
    CallStarted,
    DecisionMade,
    Event,
    QueueAbandoned,
    ReturnedToBot,
)

DAY = 1_772_409_600.0  # 2026-03-02 00:00 UTC
NEXT_DAY = DAY + 86_400


def at(hh: int, mm: int, ss: int = 0, day: float = DAY) -> float:
    return day + hh * 3600 + mm * 60 + ss


@dataclass
class Call:
    """One call's events, in the order pbx publishes them; every time is seconds after ``t``."""

    call_id: str
    t: float
    events: list[Event] = field(default_factory=list)

    def started(self, direction: str = "outbound", campaign: int | None = 7) -> Call:
        self.events.append(CallStarted(call_id=self.call_id, at=self.t, direction=direction,
                                       campaign_id=campaign, flow="survey"))  # fmt: skip
        return self

    def answered(self, s: float) -> Call:
        self.events.append(CallAnswered(call_id=self.call_id, at=self.t + s))
        return self

    def escalated(self, decided: float, s: float, queue: str, reason: str) -> Call:
        """VoiceWatch decides at ``decided``; pbx hands the call over at ``s``."""
        self.events += [
            DecisionMade(call_id=self.call_id, at=self.t + decided, turn=2, escalate=True, reason=reason,
                         score=0.8, queue=queue),
            CallEscalated(call_id=self.call_id, at=self.t + s, queue=queue, reason=reason, score=0.8,
                          transfer_id=f"{self.call_id}-{queue}", decided_at=self.t + decided),
        ]  # fmt: skip
        return self

    def queued(self, s: float, queue: str) -> Call:
        self.events.append(CallQueued(call_id=self.call_id, at=self.t + s, queue=queue))
        return self

    def agent(self, s: float, agent: str, queue: str) -> Call:
        common = {"call_id": self.call_id, "at": self.t + s, "agent": agent, "queue": queue}
        self.events += [AgentStateChanged(**common, state="on_call"), AgentConnected(**common)]
        return self

    def agent_free(self, s: float, agent: str, queue: str) -> Call:
        """Asterisk's AgentComplete: the agent's leg hung up."""
        self.events.append(AgentStateChanged(call_id=self.call_id, at=self.t + s, agent=agent,
                                             state="available", queue=queue))  # fmt: skip
        return self

    def abandoned(self, s: float, queue: str) -> Call:
        self.events.append(QueueAbandoned(call_id=self.call_id, at=self.t + s, queue=queue))
        return self

    def returned(self, s: float, queue: str) -> Call:
        self.events.append(ReturnedToBot(call_id=self.call_id, at=self.t + s, queue=queue, status="TIMEOUT"))
        return self

    def ended(self, s: float, outcome: str) -> Call:
        self.events.append(CallEnded(call_id=self.call_id, at=self.t + s, outcome=outcome))
        return self


def fixed_calls() -> dict[str, Call]:
    return {c.call_id: c for c in [
        # A bot-only call: confirmed with the bot, no human.
        Call("bot", at(9, 0)).started().answered(5).ended(65, "confirmed"),
        # An abandon in the first seconds: 3 s in the queue (a short abandon). Inbound, campaign 8.
        Call("short", at(9, 10)).started("inbound", 8).answered(2).escalated(20, 22, "support", "anger")
        .queued(23, "support").abandoned(26, "support").ended(26, "abandoned"),
        # An escalation answered: agent1 after 12 s, talks 120 s.
        Call("answered", at(9, 20)).started().answered(4).escalated(30, 32, "support", "anger")
        .queued(33, "support").agent(45, "agent1", "support").agent_free(165, "agent1", "support")
        .ended(165, "escalated"),
        # An escalation abandoned after 30 s in the queue.
        Call("abandoned", at(9, 30)).started().answered(3).escalated(36, 40, "support", "human_request")
        .queued(41, "support").abandoned(71, "support").ended(71, "abandoned"),
        # A transfer between queues: agent2 answers in billing, passes the call to support after
        # 60 s, where agent1 answers 30 s later (outside the 20 s service level) and talks 120 s.
        Call("transfer", at(9, 40)).started("inbound", 8).answered(3)
        .escalated(18, 20, "billing", "dispute_fraud").queued(21, "billing").agent(31, "agent2", "billing")
        .queued(91, "support")
        .agent(121, "agent1", "support").ended(241, "escalated"),
        # Returned to the bot: nobody answered in 60 s; the bot finished the call.
        Call("returned", at(9, 50)).started().answered(2).escalated(19, 20, "support", "ambiguity")
        .queued(21, "support").returned(81, "support").ended(120, "confirmed"),
        # Overflow: 30 s in billing unanswered, then support, where agent1 answers in 6 s.
        Call("overflow", at(10, 0)).started().answered(2).escalated(9, 10, "billing", "anger")
        .queued(11, "billing").queued(41, "support").agent(47, "agent1", "support").ended(107, "escalated"),
        # Never answered.
        Call("not_reached", at(11, 0)).started().ended(30, "no_answer"),
        # Spanning midnight: starts 23:58:00, agent1 from 23:58:41 to 00:03:00 (259 s).
        Call("midnight", at(23, 58)).started().answered(3).escalated(25, 30, "support", "anger")
        .queued(31, "support").agent(41, "agent1", "support").ended(300, "escalated"),
    ]}  # fmt: skip


def fixed_log() -> list[Event]:
    """Every call's events, in time order across calls (as the stream would carry them)."""
    events = [e for call in fixed_calls().values() for e in call.events]
    return sorted(events, key=lambda e: e.at)


def _changes(agent: str, *steps: tuple[float, str] | tuple[float, str, str]) -> list[StateChange]:
    return [StateChange(step[0], agent, step[1], step[2] if len(step) > 2 else "") for step in steps]  # type: ignore[misc]


def fixed_states() -> list[StateChange]:
    """The agents' state history as the database keeps it (console, admin and phone alike)."""
    return [
        *_changes(
            "agent1",
            (at(9, 0), "available"),
            (at(9, 20, 45), "on_call"), (at(9, 22, 45), "wrap_up"), (at(9, 23, 15), "available"),  # 30 s
            (at(9, 42, 1), "on_call"), (at(9, 44, 1), "wrap_up"), (at(9, 44, 21), "available"),  # 20 s
            (at(10, 0, 47), "on_call"), (at(10, 1, 47), "wrap_up"), (at(10, 2, 7), "available"),  # 20 s
            (at(12, 0), "offline"),
            (at(23, 50), "available"),
            (at(23, 58, 41), "on_call"), (at(0, 3, 0, NEXT_DAY), "wrap_up"),  # 40 s, after midnight
            (at(0, 3, 40, NEXT_DAY), "available"), (at(0, 10, 0, NEXT_DAY), "offline"),
        ),
        *_changes(
            "agent2",
            (at(9, 30), "available"),
            (at(9, 40, 31), "on_call"), (at(9, 41, 31), "wrap_up"), (at(9, 41, 41), "available"),  # 10 s
            (at(10, 30), "paused", "Lunch"),
            (at(11, 0), "offline"),
        ),
    ]  # fmt: skip
