"""The wallboard's state: pbx events and database facts in, board sections out.

No I/O and no clock: :func:`apply_event` folds one typed ``pbx.api`` event into a
:class:`Board` and says which sections it changed; :func:`apply_agents`,
:func:`apply_campaigns`, :func:`apply_queues` and :func:`apply_live_counts` merge what the
feeder read from the database and from pbx's live counts; :func:`roll_day` starts a new day;
:func:`contactcenter.wallboard.sections.render` turns the board into the JSON sections the
page shows. Time is always passed in (``now``, or the event's own ``at``), so replaying the
same events gives the same board.

Folding is idempotent per call: a call is one :class:`CallRecord` keyed by its call id and
every event only sets facts on it (first value wins), so an event seen twice (replay, then
live tail) counts once, and the day's counters are derived from the records, never
incremented. What a call accumulates (its passages through queues, its agents' legs, its
escalations: :mod:`contactcenter.wallboard.passages`) is appended once per event id.
The reports replay the ledger's events through this same fold (:mod:`contactcenter.reports.figures`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from contactcenter.wallboard.passages import (
    ROUTED_REASONS,
    AgentLeg,
    Escalation,
    QueuePassage,
    close_passage,
    end_legs,
    fold_queue_event,
    leg_ended_by_phone,
)
from contactcenter.wallboard.passages import PassageResult as PassageResult  # importable here too
from contactcenter.wallboard.section import ALL_SECTIONS as ALL_SECTIONS  # the board says which changed
from contactcenter.wallboard.section import Section
from pbx.api import (
    PERSON_SET_AGENT_STATES,
    AgentConnected,
    AgentReserved,
    AgentStateChanged,
    CallAnswered,
    CallAtRisk,
    CallEnded,
    CallEscalated,
    CallQueued,
    CallStarted,
    DecisionMade,
    Event,
    LiveCounts,
    QueueAbandoned,
    QueueActivity,
    ReservationEnded,
    ReturnedToBot,
    SchemaError,
    UtteranceHeard,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoardConfig:
    service_level_s: float = 20.0  # "answered by an agent within N s of joining the queue"
    recent_escalations: int = 20
    live_calls_shown: int = 30
    live_counts_max_age_s: float = 5.0  # older than this: pbx is not reporting


@dataclass
class CallRecord:
    """What the board knows about one call (a pbx call id, or a queue caller's channel)."""

    key: str
    first_seen: float
    call_id: str | None = None
    started_at: float | None = None
    direction: str = ""
    campaign_id: int | None = None
    answered_at: float | None = None
    sentiment: float | None = None  # the customer's last final utterance
    risk: float = 0.0  # VoiceWatch's last score
    at_risk: bool = False  # past the pre-alert threshold (call.at_risk), until it falls back
    reserved_agent: str = ""  # the agent pbx holds for it (agent.reserved), until the hold ends
    decided_at: float | None = None
    escalated_at: float | None = None
    queue: str = ""
    reason: str = ""
    score: float = 0.0
    explanation: str = ""
    queue_joined_at: float | None = None
    decision_to_queue_s: float | None = None
    agent: str = ""
    agent_connected_at: float | None = None
    lost: bool = False  # escalated, and no human took it (abandoned, or back to the bot)
    ended_at: float | None = None
    outcome: str = ""
    flow: str = ""
    passages: list[QueuePassage] = field(default_factory=list)
    agent_legs: list[AgentLeg] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    seen: set[str] = field(default_factory=set, repr=False)  # event ids folded in

    @property
    def start(self) -> float:
        """When the call counts: its start (a queue caller pbx does not own: first seen)."""
        return self.started_at if self.started_at is not None else self.first_seen

    @property
    def with_bot(self) -> bool:
        """An AI call: pbx answered it with a bot (not routed straight to a queue, not a machine)."""
        if self.call_id is None or self.answered_at is None or self.outcome == "voicemail":
            return False
        return not (self.escalations and self.escalations[0].reason in ROUTED_REASONS)

    @property
    def escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def lost_or_ended_unserved(self) -> bool:
        return self.escalated and self.agent_connected_at is None and (self.lost or self.ended)


@dataclass(frozen=True)
class AgentFact:
    """An agent as the database has it; ``since`` is its state_changed_at (Unix time), ``reason``
    why they are paused (blank in any other state)."""

    name: str
    state: str
    since: float | None = None
    display_name: str = ""
    queues: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class CampaignFact:
    """A campaign's progress as the database has it (leads by status, outcomes, the dialer's pacing)."""

    id: int
    name: str
    status: str
    dial_mode: str
    leads_total: int
    leads_done: int
    leads_pending: int
    leads_dialing: int
    outcomes: Mapping[str, int] = field(default_factory=dict)
    pacing: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _AgentState:
    fact: AgentFact
    from_event: bool = False  # state/since come from a queue event newer than the database's


@dataclass
class Board:
    day_start: float  # Unix time of today's local midnight
    config: BoardConfig = field(default_factory=BoardConfig)
    calls: dict[str, CallRecord] = field(default_factory=dict)
    waiting: dict[str, dict[str, float]] = field(default_factory=dict)  # queue -> record key -> joined at
    agents: dict[str, _AgentState] = field(default_factory=dict)
    queue_names: tuple[str, ...] = ()  # the queues the database knows
    campaigns: tuple[CampaignFact, ...] = ()
    live_counts: dict[str, int] = field(default_factory=dict)
    live_counts_at: float | None = None
    live_counts_ok: bool = False
    # Set when today's first events are gone from the stream (trimmed): the counts start here.
    counted_since: float | None = None


# ------------------------------------------------------------------ events


def _record(board: Board, event: Event, key: str | None = None) -> CallRecord | None:
    key = key or event.call_id
    if not key:
        return None
    record = board.calls.get(key)
    if record is None:
        record = board.calls[key] = CallRecord(key=key, first_seen=event.at, call_id=event.call_id)
    return record


def _stop_waiting(board: Board, key: str) -> bool:
    changed = False
    for callers in board.waiting.values():
        changed |= callers.pop(key, None) is not None
    return changed


def apply_event(board: Board, event: Event) -> frozenset[Section]:
    """Fold one pbx event into the board; returns the sections that changed."""
    if isinstance(event, AgentStateChanged):
        if event.call_id and (followed := board.calls.get(event.call_id)) is not None:
            leg_ended_by_phone(followed, event)
        return _agent_state(board, event)
    if isinstance(event, QueueActivity):
        return _queue_activity(board, event)
    record = _record(board, event)
    if record is None:
        return frozenset()
    if isinstance(event, CallEscalated | CallEnded):
        if event.event_id in record.seen:
            return frozenset()
        record.seen.add(event.event_id)
    if isinstance(event, CallStarted):
        record.started_at = record.started_at or event.at
        record.direction = event.direction
        record.flow = record.flow or event.flow
        record.campaign_id = record.campaign_id if record.campaign_id is not None else event.campaign_id
        return frozenset({Section.TODAY, Section.LIVE})
    if isinstance(event, CallAnswered):
        record.answered_at = record.answered_at or event.at
        return frozenset({Section.TODAY, Section.LIVE})
    if isinstance(event, UtteranceHeard):
        if event.speaker == "customer" and event.final and event.sentiment is not None:
            record.sentiment = event.sentiment
            return frozenset({Section.LIVE})
        return frozenset()
    if isinstance(event, DecisionMade):
        record.risk = event.score
        if event.escalate and record.decided_at is None:
            record.decided_at = event.at
            record.reason = record.reason or (event.reason or "")
            record.explanation = record.explanation or event.explanation
        return frozenset({Section.LIVE})
    if isinstance(event, CallAtRisk | AgentReserved | ReservationEnded):
        return _prealert(record, event)
    if isinstance(event, CallEscalated):
        record.answered_at = record.answered_at or event.at
        record.escalations.append(Escalation(event.at, event.queue, event.reason, event.decided_at))
        if record.escalated_at is None:
            record.escalated_at = event.at
            record.decided_at = event.decided_at or record.decided_at or event.at
            record.queue, record.reason, record.score = event.queue, event.reason, event.score
            record.explanation = event.summary or record.explanation
        return frozenset({Section.TODAY, Section.LIVE, Section.ESCALATIONS, Section.QUEUES})
    if isinstance(event, CallEnded):
        if record.ended_at is None:
            record.ended_at = event.at
            record.outcome = event.outcome
        close_passage(record, event.at, None)
        end_legs(record, event.at)
        _stop_waiting(board, record.key)
        return frozenset({Section.TODAY, Section.LIVE, Section.ESCALATIONS, Section.QUEUES})
    return frozenset()  # command.rejected and anything new: nothing on the board


def _prealert(record: CallRecord, event: CallAtRisk | AgentReserved | ReservationEnded) -> frozenset[Section]:
    if isinstance(event, CallAtRisk):
        record.at_risk = event.active
        record.risk = event.score if event.active else record.risk
        return frozenset({Section.LIVE})
    if isinstance(event, AgentReserved):
        record.reserved_agent = event.agent
    elif record.reserved_agent == event.agent:
        record.reserved_agent = ""
    return frozenset({Section.LIVE, Section.AGENTS})


def _queue_activity(board: Board, event: QueueActivity) -> frozenset[Section]:
    key = event.call_id or (f"channel:{event.channel}" if event.channel else None)
    if key is None:
        return frozenset()
    record = _record(board, event, key)
    assert record is not None
    if event.event_id in record.seen:
        return frozenset()
    record.seen.add(event.event_id)
    queue = event.queue or record.queue
    changed = frozenset({Section.QUEUES, Section.TODAY, Section.ESCALATIONS})
    fold_queue_event(record, event, queue)
    if isinstance(event, CallQueued):
        if record.escalated_at is None:  # not escalated by pbx: the fail-safe, or a caller straight from the trunk
            record.escalated_at = event.at
            record.queue, record.reason = queue, event.reason or record.reason
        record.queue = queue or record.queue
        record.queue_joined_at = record.queue_joined_at or event.at
        if record.decision_to_queue_s is None:
            record.decision_to_queue_s = event.wait_s if event.wait_s is not None else (
                max(0.0, event.at - record.decided_at) if record.decided_at else None)  # fmt: skip
        if record.agent_connected_at is None and not record.ended:
            record.lost = False  # back in a queue (escalated again after coming back to the bot)
            board.waiting.setdefault(queue, {})[key] = event.at
        return changed
    _stop_waiting(board, key)
    if isinstance(event, AgentConnected):
        record.agent_connected_at = record.agent_connected_at or event.at
        record.agent = record.agent or event.agent
    elif isinstance(event, QueueAbandoned | ReturnedToBot) and record.agent_connected_at is None:
        record.lost = True  # gave up waiting, or given back to the bot after the queue's maximum wait
    return changed


def _agent_state(board: Board, event: AgentStateChanged) -> frozenset[Section]:
    name, state = event.agent, event.state.value
    current = board.agents.get(name)
    if current is None:  # a queue member the database does not know (yet): show it anyway
        queues = (event.queue,) if event.queue else ()
        board.agents[name] = _AgentState(AgentFact(name, state, event.at, queues=queues), from_event=True)
        return frozenset({Section.AGENTS, Section.QUEUES})
    fact = current.fact
    if fact.state in PERSON_SET_AGENT_STATES or fact.state == state:
        return frozenset()
    if fact.since is not None and event.at < fact.since:
        return frozenset()  # older than what we know (a replayed event after a console change)
    current.fact = AgentFact(name, state, event.at, fact.display_name, fact.queues)
    current.from_event = True
    return frozenset({Section.AGENTS, Section.QUEUES})


# ------------------------------------------------------------------ database facts and the clock


def apply_agents(board: Board, facts: Iterable[AgentFact]) -> frozenset[Section]:
    """Merge the database's agents: the newer of the database's state and the last queue event wins."""
    before = {name: a.fact for name, a in board.agents.items()}
    merged: dict[str, _AgentState] = {}
    for fact in facts:
        current = board.agents.get(fact.name)
        if current is not None and current.from_event and current.fact.since is not None and (
            fact.since is None or fact.since < current.fact.since
        ) and fact.state not in PERSON_SET_AGENT_STATES:
            kept = current.fact
            merged[fact.name] = _AgentState(AgentFact(fact.name, kept.state, kept.since, fact.display_name,
                                                      fact.queues), from_event=True)  # fmt: skip
        else:
            merged[fact.name] = _AgentState(fact)
    for name, current in board.agents.items():  # seen only in queue events: keep showing them
        if name not in merged and current.from_event:
            merged[name] = current
    board.agents = merged
    after = {name: a.fact for name, a in merged.items()}
    return frozenset({Section.AGENTS, Section.QUEUES}) if after != before else frozenset()


def apply_queues(board: Board, names: Iterable[str]) -> frozenset[Section]:
    new = tuple(sorted(set(names)))
    if new == board.queue_names:
        return frozenset()
    board.queue_names = new
    return frozenset({Section.QUEUES})


def apply_campaigns(board: Board, facts: Iterable[CampaignFact]) -> frozenset[Section]:
    new = tuple(facts)
    if new == board.campaigns:
        return frozenset()
    board.campaigns = new
    return frozenset({Section.CAMPAIGNS})


def apply_live_counts(board: Board, data: Mapping[Any, Any] | None, now: float) -> frozenset[Section]:
    """pbx's hash ``cc:pbx:live`` (bytes or str). Unreadable (a pbx writing other states) counts
    as pbx not reporting: a partial reading would show free AI lines that are not."""
    try:
        live = LiveCounts.from_hash(data) if data else None
    except SchemaError as exc:
        log.warning("wallboard: pbx's live counts are unreadable (%s)", exc)
        live = None
    counts = {**live.model_dump(exclude={"updated_at"}), "ai_calls": live.ai_calls} if live else {}
    updated_at = live.updated_at if live else None
    ok = live is not None and live.fresh(now, board.config.live_counts_max_age_s)
    if counts == board.live_counts and ok == board.live_counts_ok:
        board.live_counts_at = updated_at
        return frozenset()
    board.live_counts, board.live_counts_at, board.live_counts_ok = counts, updated_at, ok
    return frozenset({Section.LIVE})


def roll_day(board: Board, day_start: float) -> frozenset[Section]:
    """A new day: finished calls of earlier days leave the board; calls still going stay."""
    if day_start <= board.day_start:
        return frozenset()
    board.day_start = day_start
    board.calls = {k: r for k, r in board.calls.items() if not r.ended or r.first_seen >= day_start}
    board.counted_since = None
    return frozenset({Section.TODAY, Section.ESCALATIONS, Section.QUEUES, Section.LIVE})
