"""A call's passages through human queues, its agents' legs and its escalations: the part of
the wallboard's fold (:mod:`contactcenter.wallboard.board`) the floor's figures are made of
(:mod:`contactcenter.reports.figures`). Pure; every function folds one event into one record.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from pbx.api import (
    AgentConnected,
    AgentState,
    AgentStateChanged,
    CallQueued,
    QueueAbandoned,
    QueueActivity,
    ReturnedToBot,
)

if TYPE_CHECKING:
    from contactcenter.wallboard.board import CallRecord


class PassageResult(StrEnum):
    """How a caller's passage through one human queue ended."""

    ANSWERED = "answered"  # an agent of this queue took the call
    ABANDONED = "abandoned"  # the caller hung up while waiting
    RETURNED = "returned"  # nobody answered within the queue's maximum wait: back to the bot
    TRANSFERRED = "transferred"  # moved on to another queue before anyone answered (overflow, a supervisor)
    LEFT = "left"  # left the queue unanswered some other way (the dialplan went on, the call ended)


@dataclass
class QueuePassage:
    """One stay of a call in one queue: a call transferred from queue A to B has two."""

    queue: str
    joined_at: float
    reason: str = ""
    left_at: float | None = None
    result: PassageResult | None = None  # None: still waiting
    agent: str = ""
    answered_at: float | None = None

    @property
    def waiting(self) -> bool:
        return self.result is None

    @property
    def wait_s(self) -> float | None:
        """From joining to an agent answering, or to leaving unanswered."""
        end = self.answered_at if self.answered_at is not None else self.left_at
        return None if end is None else max(0.0, end - self.joined_at)


@dataclass
class AgentLeg:
    """An agent on the call: from connecting to the call ending, the agent's leg ending, or the
    agent passing the call on to another queue. Wrap-up is the agent's state afterwards."""

    agent: str
    queue: str
    connected_at: float
    ended_at: float | None = None

    @property
    def talk_s(self) -> float | None:
        return None if self.ended_at is None else max(0.0, self.ended_at - self.connected_at)


@dataclass
class Escalation:
    """A hand-over to a human queue (pbx's ``call.escalated``, or a fail-safe caller's join)."""

    at: float
    queue: str
    reason: str
    decided_at: float | None = None
    queue_joined_at: float | None = None

    @property
    def latency_s(self) -> float | None:
        """Decision to joining the queue (the escalation latency)."""
        start = self.decided_at if self.decided_at is not None else self.at
        return None if self.queue_joined_at is None else max(0.0, self.queue_joined_at - start)


# Not an escalation: an inbound route that sends its callers straight to a queue, no bot involved.
ROUTED_REASONS = frozenset({"inbound_queue"})


def open_passage(record: CallRecord) -> QueuePassage | None:
    return record.passages[-1] if record.passages and record.passages[-1].waiting else None


def fold_queue_event(record: CallRecord, event: QueueActivity, queue: str) -> None:
    """A caller's passages through queues and its agents' legs, from one queue event."""
    current = open_passage(record)
    if isinstance(event, CallQueued):
        if current is not None and current.queue == queue:
            return  # the same join told twice (pbx's event and the fail-safe's)
        close_passage(record, event.at, PassageResult.TRANSFERRED)
        end_legs(record, event.at)  # an agent passing the call on to a queue is done with it
        waiting = [e for e in record.escalations if e.queue_joined_at is None]
        if waiting:
            waiting[-1].queue_joined_at = event.at
        elif event.reason and event.reason not in ROUTED_REASONS and not record.passages:
            # Put in a queue without pbx's escalation (the fail-safe, pbx down): a hand-over all the same.
            record.escalations.append(Escalation(event.at, queue, event.reason, queue_joined_at=event.at))
        record.passages.append(QueuePassage(queue, event.at, reason=event.reason or ""))
    elif isinstance(event, AgentConnected):
        last = record.passages[-1] if record.passages else None
        if current is None and last is not None and last.agent == event.agent and last.queue == queue:
            return  # the same answer told twice (the reserved agent's dial, then Queue()'s AgentConnect)
        if current is None:
            # Answered without a queue join: the pre-alert's reserved agent rung before Queue().
            # The caller waited from the hand-over.
            since = record.escalations[-1].at if record.escalations else event.at
            current = QueuePassage(queue, since, reason=record.reason)
            record.passages.append(current)
        current.result, current.agent = PassageResult.ANSWERED, event.agent
        current.answered_at = event.at
        current.left_at = current.left_at if current.left_at is not None else event.at
        if not any(leg.agent == event.agent and leg.ended_at is None for leg in record.agent_legs):
            record.agent_legs.append(AgentLeg(event.agent, current.queue, event.at))
    elif isinstance(event, QueueAbandoned):
        close_passage(record, event.at, PassageResult.ABANDONED)
    elif isinstance(event, ReturnedToBot):
        close_passage(record, event.at, PassageResult.RETURNED)
    elif current is not None and current.left_at is None:  # call.queue_left: an answer or abandon says why
        current.left_at = event.at


def close_passage(record: CallRecord, at: float, result: PassageResult | None) -> None:
    """End the open passage with ``result``; None: the call ended while it was open."""
    current = open_passage(record)
    if current is None:
        return
    if result is None:  # ended while waiting: hung up in the queue, unless it had already left it
        result = PassageResult.LEFT if current.left_at is not None else PassageResult.ABANDONED
    current.result = result
    current.left_at = current.left_at if current.left_at is not None else at


def end_legs(record: CallRecord, at: float) -> None:
    for leg in record.agent_legs:
        if leg.ended_at is None:
            leg.ended_at = at


def leg_ended_by_phone(record: CallRecord, event: AgentStateChanged) -> None:
    """The agent's phone freed on this call: their leg of it ended (Asterisk's AgentComplete)."""
    if event.state in (AgentState.RINGING, AgentState.ON_CALL, AgentState.RESERVED):
        return
    for leg in record.agent_legs:
        if leg.agent == event.agent and leg.ended_at is None and event.at >= leg.connected_at:
            leg.ended_at = event.at
