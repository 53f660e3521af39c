"""The wallboard's sections as the page shows them: :func:`render` turns a :class:`Board` into
JSON-ready dicts, all of them or the sections an update carries. Pure, like the board.

The day's figures (service level, ASA, AHT, occupancy, abandons, escalations and their
latency...) are the shared ones of :mod:`contactcenter.reports.figures`, through
:mod:`contactcenter.wallboard.daily`: the wallboard computes none of its own. What the board
does not hold comes in a :class:`Display`: the thresholds that colour the figures (``levels``
beside them: ``ok``, ``warn``, ``bad``), the last hour's samples the charts draw
(:mod:`contactcenter.wallboard.history`) and the agents' state timeline, both kept by the feeder.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from contactcenter.reports.figures import Spread, Summary
from contactcenter.reports.timeline import AgentTimeline
from contactcenter.wallboard import daily
from contactcenter.wallboard.board import ALL_SECTIONS, Board, CallRecord, PassageResult, Section
from contactcenter.wallboard.history import History
from contactcenter.wallboard.thresholds import Thresholds
from pbx.api import AgentState

# What the charts draw: gauges sampled once a step, and events counted per step.
CHART_GAUGES = ("service_level", "waiting", "ai_calls")
CHART_EVENTS = ("escalations",)

# Sections computed from the records of other sections' events: re-rendered with them.
_DERIVED = {Section.ESCALATIONS: frozenset({Section.ABANDONED, Section.AGENTS})}


@dataclass(frozen=True)
class Display:
    thresholds: Thresholds = field(default_factory=lambda: Thresholds.build(20.0))
    history: History | None = None
    agents: AgentTimeline | None = None  # None: the database's current states only
    time_zone: str = "UTC"


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _today_records(board: Board) -> list[CallRecord]:
    return [r for r in board.calls.values() if r.first_seen >= board.day_start]


def _spread(spread: Spread, digits: int = 1) -> dict[str, float | None]:
    return {"mean": _round(spread.mean, digits), "p50": _round(spread.p50, digits), "p95": _round(spread.p95, digits)}


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


_TODAY_COLOURED = ("service_level", "abandon_rate", "asa_s", "escalation_latency_s", "containment_rate", "aht_s",
                   "occupancy", "agent_answer_s")  # fmt: skip


def _today_figures(s: Summary) -> dict[str, Any]:
    q = s.queues
    return {
        "total": s.calls.calls, "in_progress": s.calls.in_progress, "inbound": s.calls.inbound,
        "outbound": s.calls.outbound,
        "ai_calls_ended": s.containment.ai_calls, "completed_by_bot": s.containment.bot_completed,
        "containment_rate": _rate(s.containment.rate),
        "escalated": s.escalations.calls, "escalations": s.escalations.count,
        "escalations_by_reason": dict(s.escalations.by_reason),
        "escalation_latency_s": _round(s.escalations.latency.mean, 2),
        "escalation_latency": _spread(s.escalations.latency, 2),
        "answered_by_agent": q.answered, "abandoned": q.abandoned, "short_abandons": q.short_abandons,
        "lost": q.abandoned + q.returned_to_bot,  # passages no human took (short abandons apart)
        "returned_to_bot": q.returned_to_bot, "transferred": q.transferred,
        "abandon_rate": _rate(q.abandon_rate), "service_level": _rate(q.service_level),
        # Agent answer time: joining a queue → an agent connected; its mean is the ASA.
        "asa_s": _round(q.answer_time.mean), "agent_answer_s": _round(q.answer_time.p95),
        "agent_answer": _spread(q.answer_time),
        "handled": s.handling.handled, "aht_s": _round(s.handling.aht_s),
        "occupancy": _rate(s.occupancy.rate) if s.occupancy is not None else None,
        "outcomes": dict(s.outcomes),
    }  # fmt: skip


def _render_today(board: Board, now: float, display: Display, today: daily.Today) -> dict[str, Any]:
    counts = _today_figures(today.summary)
    hour_ago = now - 3600
    counts["escalations_last_hour"] = sum(1 for at in daily.escalation_times(board) if hour_ago <= at <= now)
    counts["escalations_per_hour"] = [{"hour_start": h.hour_start, "by_reason": dict(h.by_reason)}
                                      for h in today.per_hour if h.by_reason]  # fmt: skip
    counts["service_level_s"] = board.config.service_level_s
    counts["counted_since"] = board.counted_since
    counts["day_start"] = board.day_start
    counts["levels"] = display.thresholds.levels({k: counts.get(k) for k in _TODAY_COLOURED})
    # The page colours what ticks between updates (a caller's wait) with the same bands.
    counts["thresholds"] = display.thresholds.to_json()
    return counts


def _escalation_status(r: CallRecord) -> str:
    if r.agent_connected_at is not None:
        return "with_agent" if not r.ended else "answered"
    if r.lost_or_ended_unserved:
        return "lost"
    return "waiting" if r.queue_joined_at is not None else "transferring"


def _render_escalations(board: Board) -> list[dict[str, Any]]:
    escalated = sorted((r for r in board.calls.values() if r.escalated_at is not None and r.first_seen >= board.day_start),
                       key=lambda r: (r.escalated_at, r.key), reverse=True)  # fmt: skip
    return [
        {
            "call_id": r.call_id, "key": r.key, "at": r.escalated_at, "queue": r.queue, "reason": r.reason,
            "score": _round(r.score, 2), "explanation": r.explanation[:200],
            "decision_to_queue_s": _round(r.decision_to_queue_s, 2), "campaign_id": r.campaign_id,
            "status": _escalation_status(r), "agent": r.agent,
            "wait_s": _round(r.agent_connected_at - r.queue_joined_at)
            if r.agent_connected_at is not None and r.queue_joined_at is not None else None,
        }
        for r in escalated[: board.config.recent_escalations]
    ]  # fmt: skip


def _oldest_caller(board: Board, callers: dict[str, float]) -> dict[str, Any] | None:
    if not callers:
        return None
    key, since = min(callers.items(), key=lambda kv: (kv[1], kv[0]))
    record = board.calls.get(key)
    return {"key": key, "call_id": record.call_id if record else None, "since": since,
            "reason": record.reason if record else "",
            "campaign_id": record.campaign_id if record else None}  # fmt: skip


def _render_queues(board: Board, now: float, display: Display, today: daily.Today) -> list[dict[str, Any]]:
    names = set(board.queue_names) | {q for q, callers in board.waiting.items() if callers} | set(today.queues)
    for agent in board.agents.values():
        names.update(agent.fact.queues)
    rows = []
    for name in sorted(n for n in names if n):
        callers = board.waiting.get(name, {})
        oldest = min(callers.values()) if callers else None
        agents = dict.fromkeys((state.value for state in AgentState), 0)
        for agent in board.agents.values():
            if name in agent.fact.queues:
                agents[agent.fact.state] = agents.get(agent.fact.state, 0) + 1
        summary = today.queues.get(name)
        q = summary.queues if summary is not None else None
        figures = {
            "service_level": _rate(q.service_level) if q else None,
            "asa_s": _round(q.answer_time.mean) if q else None, "abandon_rate": _rate(q.abandon_rate) if q else None,
        }  # fmt: skip
        longest = _round(max(0.0, now - oldest)) if oldest is not None else 0.0
        rows.append({
            "name": name, "waiting": len(callers), "oldest_since": oldest, "longest_wait_s": longest,
            "oldest": _oldest_caller(board, callers), "agents": agents,
            "escalated_today": summary.escalations.count if summary else 0,
            "answered_today": q.answered if q else 0, "abandoned_today": q.abandoned if q else 0,
            "lost_today": (q.abandoned + q.returned_to_bot) if q else 0,
            **figures,
            "levels": display.thresholds.levels({"waiting": len(callers), "longest_wait_s": longest, **figures}),
        })  # fmt: skip
    return rows


def _ai_calls(board: Board) -> list[CallRecord]:
    """The calls followed here that the bot has (started, not ended, not escalated)."""
    return [r for r in board.calls.values() if r.started_at is not None and not r.ended and not r.escalated]


def _render_live(board: Board, display: Display) -> dict[str, Any]:
    active = _ai_calls(board)
    with_bot = [r for r in active if r.answered_at is not None]
    sentiments = [r.sentiment for r in with_bot if r.sentiment is not None]
    shown = sorted(active, key=lambda r: (-r.risk, r.started_at or 0.0))[: board.config.live_calls_shown]
    at_risk = [r for r in with_bot if r.at_risk]
    unreserved = sum(1 for r in at_risk if not r.reserved_agent)
    return {
        "pbx": dict(board.live_counts),
        "pbx_ok": board.live_counts_ok,
        "pbx_updated_at": board.live_counts_at,
        "ai_calls": board.live_counts.get("ai_calls", len(with_bot)) if board.live_counts_ok else len(with_bot),
        "followed": len(active),
        # Pre-alert: pbx's count when it reports, else the calls followed here; those without an agent held.
        "at_risk": board.live_counts.get("ai_calls_at_risk", len(at_risk)) if board.live_counts_ok else len(at_risk),
        "at_risk_unreserved": unreserved,
        "levels": display.thresholds.levels({"at_risk_unreserved": unreserved}),
        "avg_sentiment": _round(statistics.fmean(sentiments), 2) if sentiments else None,
        "calls": [
            {"call_id": r.call_id, "campaign_id": r.campaign_id, "direction": r.direction,
             "state": "with_bot" if r.answered_at is not None else "dialing",
             "since": r.answered_at or r.started_at, "sentiment": _round(r.sentiment, 2), "risk": _round(r.risk, 2),
             "at_risk": r.at_risk, "reserved_agent": r.reserved_agent}
            for r in shown
        ],
    }  # fmt: skip


def _render_campaigns(board: Board) -> list[dict[str, Any]]:
    rows = []
    for c in board.campaigns:
        pacing = dict(c.pacing or {})
        rows.append({
            "id": c.id, "name": c.name, "status": c.status, "dial_mode": c.dial_mode,
            "leads_total": c.leads_total, "leads_done": c.leads_done, "leads_pending": c.leads_pending,
            "leads_dialing": c.leads_dialing,
            "progress": _ratio(c.leads_done, c.leads_total),
            "outcomes": dict(sorted(c.outcomes.items(), key=lambda kv: (-kv[1], kv[0]))),
            "pacing": {"bound": pacing.get("bound", ""), "human_bound": bool(pacing.get("human_bound")),
                       "explanation": pacing.get("explanation", ""), "in_progress": pacing.get("in_progress"),
                       "escalation_rate": pacing.get("escalation_rate"), "at": pacing.get("at")},
        })  # fmt: skip
    return rows


def _render_agents(board: Board, now: float, display: Display, today: daily.Today) -> list[dict[str, Any]]:
    holding = {r.reserved_agent: r.call_id for r in board.calls.values() if r.reserved_agent and not r.ended}
    rows = []
    for a in sorted(board.agents.values(), key=lambda a: a.fact.name):
        summary = today.agents.get(a.fact.name)
        occupancy = summary.occupancy.rate if summary is not None and summary.occupancy is not None else None
        rows.append({
            "name": a.fact.name, "display_name": a.fact.display_name or a.fact.name, "state": a.fact.state,
            "since": a.fact.since, "queues": list(a.fact.queues), "reason": a.fact.reason,
            "reserved_for": holding.get(a.fact.name) if a.fact.state == AgentState.RESERVED else None,
            "calls_today": summary.handling.handled if summary is not None else 0,
            "aht_s": _round(summary.handling.aht_s) if summary is not None else None,
            "occupancy": _rate(occupancy),
        })  # fmt: skip
    return rows


def _render_abandoned(board: Board) -> list[dict[str, Any]]:
    """Today's callers who hung up waiting in a queue, newest first: the supervisor's call-back
    list. ``key`` is what the call-back endpoint takes; the number itself never leaves the server."""
    rows = [(r, p) for r in _today_records(board) for p in r.passages if p.result is PassageResult.ABANDONED]
    rows.sort(key=lambda rp: (rp[1].left_at or rp[1].joined_at, rp[0].key), reverse=True)
    return [
        {"key": r.key, "call_id": r.call_id, "queue": p.queue, "reason": p.reason or r.reason,
         "campaign_id": r.campaign_id, "direction": r.direction, "joined_at": p.joined_at, "left_at": p.left_at,
         "wait_s": _round(p.wait_s)}
        for r, p in rows[: board.config.recent_escalations]
    ]  # fmt: skip


def _render_charts(board: Board, now: float, display: Display) -> dict[str, Any]:
    history = display.history or History()
    return history.to_json(now, CHART_GAUGES, {"escalations": daily.escalation_times(board)})


def gauges(board: Board, now: float, live_counts: bool = True, time_zone: str = "UTC") -> dict[str, float | None]:
    """The charts' gauges as they stand (a sample); ``live_counts=False`` counts AI calls from the
    calls followed here only (a replay of past events, where pbx's counts of now do not apply)."""
    with_bot = sum(1 for r in _ai_calls(board) if r.answered_at is not None)
    ai_calls = board.live_counts.get("ai_calls", with_bot) if live_counts and board.live_counts_ok else with_bot
    return {
        "service_level": _rate(daily.service_level(board, now, time_zone)),
        "waiting": sum(len(callers) for callers in board.waiting.values()),
        "ai_calls": ai_calls,
    }


def also_changed(sections: Iterable[Section]) -> frozenset[Section]:
    """``sections`` with those computed from their records (the fold names only its own)."""
    out = set(sections)
    for section in list(out):
        out |= _DERIVED.get(section, frozenset())
    return frozenset(out)


_Renderer = Callable[[Board, float, Display, daily.Today], Any]
_RENDERERS: dict[Section, _Renderer] = {
    Section.LIVE: lambda board, now, display, today: _render_live(board, display),
    Section.QUEUES: _render_queues,
    Section.TODAY: _render_today,
    Section.ESCALATIONS: lambda board, now, display, today: _render_escalations(board),
    Section.CAMPAIGNS: lambda board, now, display, today: _render_campaigns(board),
    Section.AGENTS: _render_agents,
    Section.ABANDONED: lambda board, now, display, today: _render_abandoned(board),
    Section.CHARTS: lambda board, now, display, today: _render_charts(board, now, display),
}


def render(board: Board, now: float, sections: Iterable[Section] = ALL_SECTIONS,
           display: Display | None = None) -> dict[str, Any]:  # fmt: skip
    """The board's sections as JSON-ready dicts (all of them, or the ones named)."""
    display = display or Display(Thresholds.build(board.config.service_level_s))
    today = daily.Today(board, now, display.agents, display.time_zone)  # computed as far as the sections need
    return {section.value: _RENDERERS[section](board, now, display, today) for section in sections}
