"""The floor's figures, in one place: the wallboard's tiles and the managers' reports. Every
figure's definition is kept together in this one module, so "what does X count" has one answer.

Pure, no Django and no clock: call records (:class:`contactcenter.wallboard.board.CallRecord`,
folded from pbx's events live or replayed from the ledger) and agents' state spans
(:mod:`contactcenter.reports.timeline`) plus a window ``[start, end)`` in, frozen dataclasses
out. The rules (docs/reports.md says them to managers):

- **A call counts in the window its start is in**: a call spanning midnight is a figure of the
  day it started, with everything that happened on it (its queues, its agents, its escalations).
  An agent's *time* (states, occupancy, wrap-up) is cut at the window's edges instead: it counts
  on the day it was spent.
- **A passage** is one stay of a call in one queue; a call transferred from queue A to B is
  offered to both (A's passage ends "transferred", or "answered" if an agent of A passed it on).
- **Short abandons**: a caller who hangs up within ``short_abandon_s`` of joining a queue
  (a misdial, a change of mind) is counted apart, and left out of the abandon rate and the
  service level, as ACDs do.
- **Service level**: passages answered within their queue's ``service_level_s`` over passages
  that ended (answered, abandoned but not short, returned to the bot, transferred on, left);
  callers still waiting at the window's end are not counted yet.
- Percentiles are nearest-rank: p95 of 20 values is the 19th smallest.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from zoneinfo import ZoneInfo

from contactcenter.reports.timeline import OCCUPIED_STATES, OFFLINE, StateSpan
from contactcenter.wallboard.board import Board, CallRecord, apply_event
from contactcenter.wallboard.passages import ROUTED_REASONS, AgentLeg, Escalation, PassageResult, QueuePassage
from pbx.api import AgentState, Event


@dataclass(frozen=True)
class Window:
    """``[start, end)`` in Unix time."""

    start: float
    end: float

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a window ends after it starts")

    def __contains__(self, at: float) -> bool:
        return self.start <= at < self.end

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Rules:
    service_level_s: float = 20.0  # a queue's own, when it has none in ``queue_service_level_s``
    short_abandon_s: float = 5.0
    queue_service_level_s: Mapping[str, float] = field(default_factory=dict)

    def service_level_for(self, queue: str) -> float:
        return self.queue_service_level_s.get(queue, self.service_level_s)


@dataclass(frozen=True)
class Spread:
    """A set of durations, in seconds."""

    count: int = 0
    total: float = 0.0
    mean: float | None = None
    p50: float | None = None
    p95: float | None = None
    max: float | None = None

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        ordered = sorted(values)
        if not ordered:
            return cls()
        return cls(len(ordered), math.fsum(ordered), statistics.fmean(ordered), percentile(ordered, 50),
                   percentile(ordered, 95), ordered[-1])  # fmt: skip


def percentile(ordered: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile of sorted values: the smallest value with ``pct``% at or below it."""
    if not ordered:
        return None
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def records_from(events: Iterable[Event]) -> list[CallRecord]:
    """Calls as the wallboard's fold makes them from these events (a replay of the ledger's)."""
    board = Board(day_start=0.0)
    for event in events:
        apply_event(board, event)
    return list(board.calls.values())


# ------------------------------------------------------------------ the figures


@dataclass(frozen=True)
class CallFigures:
    calls: int
    inbound: int
    outbound: int
    answered: int  # reached a person or a bot
    in_progress: int


@dataclass(frozen=True)
class Containment:
    ai_calls: int  # answered by a bot, ended
    bot_completed: int  # of those: no human ever took the call
    in_progress: int  # AI calls not over yet, counted in neither
    rate: float | None


@dataclass(frozen=True)
class Escalations:
    count: int  # hand-overs to a human queue (a call sent back to the bot and escalated again counts twice)
    calls: int  # calls escalated at least once
    by_reason: Mapping[str, int]
    latency: Spread  # decision → joining the queue


@dataclass(frozen=True)
class HourReasons:
    hour_start: float
    by_reason: Mapping[str, int]


@dataclass(frozen=True)
class QueueFigures:
    offered: int  # passages that joined a queue
    answered: int
    abandoned: int  # not counting short abandons
    short_abandons: int
    returned_to_bot: int
    transferred: int
    left: int
    waiting: int  # still in the queue at the window's end (of calls started in it)
    answer_time: Spread  # joining → an agent connected; its mean is the ASA
    wait: Spread  # joining → answered or left, every ended passage but short abandons
    abandon_rate: float | None  # abandoned / (offered − short abandons − still waiting)
    answered_within_sl: int
    service_level: float | None


@dataclass(frozen=True)
class Handling:
    handled: int  # agents' legs of calls (an agent passing a call to another agent: two)
    agents: int  # agents who handled at least one
    talk: Spread
    wrap_up_s: float  # the wrap-up following these legs
    aht_s: float | None  # (talk + wrap-up) / handled


@dataclass(frozen=True)
class Occupancy:
    logged_in_s: float  # every state but offline
    occupied_s: float  # on a call, wrapping up, ringing
    by_state: Mapping[str, float]
    agents: int  # agents logged in at some time in the window
    rate: float | None


@dataclass(frozen=True)
class Summary:
    """Every figure of one group (all calls, a campaign, a queue, an agent, a day)."""

    calls: CallFigures
    outcomes: Mapping[str, int]
    containment: Containment
    escalations: Escalations
    queues: QueueFigures
    handling: Handling
    occupancy: Occupancy | None  # None: agent time has no campaign or queue
    calls_per_agent: float | None


def _started(records: Iterable[CallRecord], window: Window) -> list[CallRecord]:
    return [r for r in records if r.start in window]


def calls(records: Iterable[CallRecord], window: Window) -> CallFigures:
    rs = _started(records, window)
    return CallFigures(
        calls=len(rs), inbound=sum(1 for r in rs if r.direction == "inbound"),
        outbound=sum(1 for r in rs if r.direction == "outbound"),
        answered=sum(1 for r in rs if r.answered_at is not None or r.agent_legs),
        in_progress=sum(1 for r in rs if not r.ended),
    )  # fmt: skip


def outcomes(records: Iterable[CallRecord], window: Window) -> Mapping[str, int]:
    """Ended calls by :class:`pbx.api.CallOutcome`, most frequent first."""
    counts = Counter(r.outcome for r in _started(records, window) if r.ended and r.outcome)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _contained(r: CallRecord) -> bool:
    """The bot finished the call: no agent took it, and it did not end waiting for one."""
    last = r.passages[-1] if r.passages else None
    return not r.agent_legs and (last is None or last.result is PassageResult.RETURNED)


def containment(records: Iterable[CallRecord], window: Window) -> Containment:
    ai = [r for r in _started(records, window) if r.with_bot]
    ended = [r for r in ai if r.ended]
    done = sum(1 for r in ended if _contained(r))
    return Containment(len(ended), done, len(ai) - len(ended), ratio(done, len(ended)))


def _escalations(records: Iterable[CallRecord], window: Window) -> list[tuple[CallRecord, Escalation]]:
    return [(r, e) for r in _started(records, window) for e in r.escalations
            if e.reason not in ROUTED_REASONS]  # fmt: skip


def escalations(records: Iterable[CallRecord], window: Window) -> Escalations:
    found = _escalations(records, window)
    latencies = [e.latency_s for _, e in found if e.latency_s is not None]
    by_reason = dict(sorted(Counter(e.reason for _, e in found).items(), key=lambda kv: (-kv[1], kv[0])))
    return Escalations(len(found), len({id(r) for r, _ in found}), by_reason, Spread.of(latencies))


def escalations_per_hour(records: Iterable[CallRecord], window: Window) -> tuple[HourReasons, ...]:
    """Escalations by reason in each hour of the window (from its start), by when they happened."""
    hours = max(1, math.ceil(window.seconds / 3600))
    counts: list[Counter[str]] = [Counter() for _ in range(hours)]
    for _, e in _escalations(records, window):
        if e.at in window:
            counts[int((e.at - window.start) // 3600)][e.reason] += 1
    return tuple(HourReasons(window.start + i * 3600, dict(sorted(c.items()))) for i, c in enumerate(counts))


def _passages(records: Iterable[CallRecord], window: Window) -> list[QueuePassage]:
    return [p for r in _started(records, window) for p in r.passages]


def _short(p: QueuePassage, rules: Rules) -> bool:
    return p.result is PassageResult.ABANDONED and (p.wait_s or 0.0) < rules.short_abandon_s


def queue_figures(records: Iterable[CallRecord], window: Window, rules: Rules) -> QueueFigures:
    passages = _passages(records, window)
    by = Counter(p.result for p in passages)
    short = [p for p in passages if _short(p, rules)]
    ended = [p for p in passages if p.result is not None and not _short(p, rules)]
    answered = [p for p in passages if p.result is PassageResult.ANSWERED and p.answered_at is not None]
    within = sum(1 for p in answered if (p.wait_s or 0.0) <= rules.service_level_for(p.queue))
    abandoned = by[PassageResult.ABANDONED] - len(short)
    return QueueFigures(
        offered=len(passages), answered=len(answered), abandoned=abandoned, short_abandons=len(short),
        returned_to_bot=by[PassageResult.RETURNED], transferred=by[PassageResult.TRANSFERRED],
        left=by[PassageResult.LEFT], waiting=by[None],
        answer_time=Spread.of(p.wait_s for p in answered if p.wait_s is not None),
        wait=Spread.of(p.wait_s for p in ended if p.wait_s is not None),
        abandon_rate=ratio(abandoned, len(ended)),
        answered_within_sl=within, service_level=ratio(within, len(ended)),
    )  # fmt: skip


def _legs(records: Iterable[CallRecord], window: Window) -> list[AgentLeg]:
    return [leg for r in _started(records, window) for leg in r.agent_legs]


def wrap_ups(records: Iterable[CallRecord], spans: Sequence[StateSpan]) -> Mapping[int, float]:
    """Seconds of wrap-up after each agent leg (keyed by ``id(leg)``): the agent's wrap-up spans
    that start after the leg connected and before that agent's next leg. Computed over all the
    records at once, so a group that sees only some of an agent's calls still finds the right one."""
    # Per agent, legs and wrap-up spans sorted by time, found by bisection: a busy day has
    # thousands of each and the wallboard renders this on every update (O(n log n), not O(n²)).
    legs_of: dict[str, list[AgentLeg]] = defaultdict(list)
    for leg in (leg for r in records for leg in r.agent_legs):
        legs_of[leg.agent].append(leg)
    wrap_of: dict[str, list[StateSpan]] = defaultdict(list)
    for span in spans:
        if span.state == AgentState.WRAP_UP:
            wrap_of[span.agent].append(span)
    out: dict[int, float] = {}
    for agent, legs in legs_of.items():
        legs.sort(key=lambda g: g.connected_at)
        wraps = sorted(wrap_of.get(agent, ()), key=lambda s: s.start)
        starts = [s.start for s in wraps]
        connects = [g.connected_at for g in legs]
        for leg in legs:
            later = bisect.bisect_right(connects, leg.connected_at)
            until = connects[later] if later < len(connects) else math.inf
            lo, hi = bisect.bisect_left(starts, leg.connected_at), bisect.bisect_left(starts, until)
            out[id(leg)] = math.fsum(s.seconds for s in wraps[lo:hi])
    return out


def handling(records: Iterable[CallRecord], spans: Sequence[StateSpan], window: Window,
             wrap: Mapping[int, float] | None = None) -> Handling:  # fmt: skip
    """Talk (agent connected → call or agent's leg ended) and the wrap-up after it. A leg's
    wrap-up is found in ``spans`` (pass the agents' spans around the window, not cut to it, to
    count a wrap-up that runs past midnight with its call), or given by ``wrap`` (:func:`wrap_ups`)."""
    records = list(records)
    wrap = wrap if wrap is not None else wrap_ups(records, spans)
    legs = [leg for leg in _legs(records, window) if leg.talk_s is not None]
    talk = Spread.of(leg.talk_s for leg in legs if leg.talk_s is not None)
    wrapped = math.fsum(wrap.get(id(leg), 0.0) for leg in legs)
    return Handling(len(legs), len({leg.agent for leg in legs}), talk, wrapped,
                    ratio(talk.total + wrapped, len(legs)))  # fmt: skip


def occupancy(spans: Iterable[StateSpan], window: Window) -> Occupancy:
    """(on a call + wrapping up + ringing) / logged-in time, within the window."""
    by_state: Counter[str] = Counter()
    agents: set[str] = set()
    for span in spans:
        lo, hi = max(span.start, window.start), min(span.end, window.end)
        if hi > lo:
            by_state[span.state] += hi - lo
            if span.state != OFFLINE:
                agents.add(span.agent)
    logged_in = math.fsum(s for state, s in by_state.items() if state != OFFLINE)
    occupied = math.fsum(s for state, s in by_state.items() if state in OCCUPIED_STATES)
    return Occupancy(logged_in, occupied, dict(sorted(by_state.items())), len(agents),
                     ratio(occupied, logged_in))  # fmt: skip


def summary(records: Iterable[CallRecord], spans: Sequence[StateSpan] | None, window: Window,
            rules: Rules, wrap: Mapping[int, float] | None = None) -> Summary:  # fmt: skip
    """Every figure at once; ``spans`` None where agent time does not apply (a campaign, a queue)
    (then give ``wrap``, :func:`wrap_ups` of all the records, for the handle time)."""
    records = list(records)
    handled = handling(records, spans or (), window, wrap)
    occupied = occupancy(spans, window) if spans is not None else None
    agents = max(occupied.agents, handled.agents) if occupied is not None else handled.agents
    return Summary(
        calls=calls(records, window), outcomes=outcomes(records, window),
        containment=containment(records, window), escalations=escalations(records, window),
        queues=queue_figures(records, window, rules),
        handling=handled, occupancy=occupied, calls_per_agent=ratio(handled.handled, agents),
    )  # fmt: skip


# ------------------------------------------------------------------ groups


class GroupBy(StrEnum):
    CAMPAIGN = "campaign"
    QUEUE = "queue"
    AGENT = "agent"
    DAY = "day"


@dataclass(frozen=True)
class Row:
    group: GroupBy
    key: str  # the campaign's id, the queue's or agent's name, the day (YYYY-MM-DD); "" for none
    summary: Summary


def _narrow(r: CallRecord, keep_passage: Callable[[QueuePassage], bool], keep_leg: Callable[[AgentLeg], bool],
            keep_escalation: Callable[[Escalation], bool]) -> CallRecord:  # fmt: skip
    """A copy of the record holding only the group's passages, legs and escalations."""
    return replace(r, passages=[p for p in r.passages if keep_passage(p)],
                   agent_legs=[g for g in r.agent_legs if keep_leg(g)],
                   escalations=[e for e in r.escalations if keep_escalation(e)])  # fmt: skip


def days(window: Window, tz: ZoneInfo) -> list[tuple[str, Window]]:
    """The local days the window touches, each cut to the window."""
    out = []
    day = dt.datetime.fromtimestamp(window.start, tz).date()
    while True:
        lo = dt.datetime.combine(day, dt.time(), tz).timestamp()
        hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz).timestamp()
        if lo >= window.end:
            return out
        out.append((day.isoformat(), Window(max(lo, window.start), min(hi, window.end))))
        day += dt.timedelta(days=1)


def midnights(window: Window, tz: ZoneInfo) -> list[float]:
    return [w.start for _, w in days(window, tz)[1:]]


def grouped(records: Iterable[CallRecord], spans: Sequence[StateSpan], window: Window, rules: Rules,
            by: GroupBy, tz: ZoneInfo) -> tuple[Row, ...]:  # fmt: skip
    """One row per campaign, queue, agent or local day (``tz``: settings.TIME_ZONE), by key.

    A queue's row holds the calls that passed through it, with only that queue's passages,
    legs and escalations; an agent's row the calls they handled, with only their legs and the
    passages they answered; their occupancy comes from their own spans."""
    every = list(records)
    wrap = wrap_ups(every, spans)  # over every record: an agent's next call may be past the window
    records = [r for r in every if r.start in window]
    rows: list[Row] = []
    if by is GroupBy.DAY:
        for key, day in days(window, tz):
            rows.append(Row(by, key, summary(records, spans, day, rules, wrap)))
        return tuple(rows)
    if by is GroupBy.CAMPAIGN:
        keys = sorted({r.campaign_id for r in records}, key=lambda k: (k is None, k or 0))
        for cid in keys:
            mine = [r for r in records if r.campaign_id == cid]
            rows.append(Row(by, "" if cid is None else str(cid), summary(mine, None, window, rules, wrap)))
        return tuple(rows)
    if by is GroupBy.QUEUE:
        names = sorted({p.queue for r in records for p in r.passages}
                       | {e.queue for r in records for e in r.escalations if e.reason not in ROUTED_REASONS})
        for name in names:
            mine = [_narrow(r, lambda p, n=name: p.queue == n, lambda g, n=name: g.queue == n,
                            lambda e, n=name: e.queue == n)
                    for r in records if any(p.queue == name for p in r.passages)
                    or any(e.queue == name for e in r.escalations)]  # fmt: skip
            rows.append(Row(by, name, summary(mine, None, window, rules, wrap)))
        return tuple(rows)
    names = sorted({g.agent for r in records for g in r.agent_legs} | {s.agent for s in spans})
    for name in names:
        mine = [_narrow(r, lambda p, n=name: p.agent == n, lambda g, n=name: g.agent == n, lambda e: False)
                for r in records if any(g.agent == name for g in r.agent_legs)]  # fmt: skip
        rows.append(Row(by, name, summary(mine, [s for s in spans if s.agent == name], window, rules, wrap)))
    return tuple(rows)
