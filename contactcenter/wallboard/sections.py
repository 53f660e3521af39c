"""The wallboard's sections as the page shows them: :func:`render` turns a :class:`Board` into
JSON-ready dicts, all of them or the sections an update carries. Pure, like the board."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

from contactcenter.wallboard.board import ALL_SECTIONS, Board, CallRecord, Section
from pbx.api import AgentState


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _today_records(board: Board) -> list[CallRecord]:
    return [r for r in board.calls.values() if r.first_seen >= board.day_start]


def _call_counts(records: list[CallRecord], service_level_s: float) -> dict[str, Any]:
    escalated = [r for r in records if r.escalated]
    served = [r for r in escalated if r.agent_connected_at is not None]
    lost = [r for r in escalated if r.lost_or_ended_unserved]
    bot = [r for r in records if r.ended and not r.escalated and r.answered_at is not None]
    not_reached = [r for r in records if r.ended and not r.escalated and r.answered_at is None]
    waits = [r.agent_connected_at - r.queue_joined_at for r in served
             if r.agent_connected_at is not None and r.queue_joined_at is not None]  # fmt: skip
    within = sum(1 for w in waits if w <= service_level_s)
    latencies = [r.decision_to_queue_s for r in escalated if r.decision_to_queue_s is not None]
    return {
        "total": len(records),
        "in_progress": sum(1 for r in records if not r.ended),
        "completed_by_bot": len(bot),
        "not_reached": len(not_reached),
        "escalated": len(escalated),
        "answered_by_agent": len(served),
        "lost": len(lost),
        "containment_rate": _ratio(len(bot), len(bot) + len(escalated)),
        "abandon_rate": _ratio(len(lost), len(served) + len(lost)),
        "service_level": _ratio(within, len(served) + len(lost)),
        "asa_s": _round(statistics.fmean(waits)) if waits else None,
        "escalation_latency_s": _round(statistics.fmean(latencies), 2) if latencies else None,
    }


def _render_today(board: Board, now: float) -> dict[str, Any]:
    records = _today_records(board)
    counts = _call_counts(records, board.config.service_level_s)
    counts["escalations_last_hour"] = sum(1 for r in records if r.escalated_at and r.escalated_at >= now - 3600)
    counts["service_level_s"] = board.config.service_level_s
    counts["counted_since"] = board.counted_since
    counts["day_start"] = board.day_start
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


def _render_queues(board: Board, now: float) -> list[dict[str, Any]]:
    today = _today_records(board)
    names = set(board.queue_names) | {q for q, callers in board.waiting.items() if callers} | {r.queue for r in today}
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
        counts = _call_counts([r for r in today if r.queue == name], board.config.service_level_s)
        rows.append({
            "name": name, "waiting": len(callers), "oldest_since": oldest,
            "longest_wait_s": _round(max(0.0, now - oldest)) if oldest is not None else 0.0,
            "agents": agents, "escalated_today": counts["escalated"],
            "answered_today": counts["answered_by_agent"], "lost_today": counts["lost"],
            "service_level": counts["service_level"], "asa_s": counts["asa_s"],
        })  # fmt: skip
    return rows


def _render_live(board: Board) -> dict[str, Any]:
    active = [r for r in board.calls.values() if r.started_at is not None and not r.ended and not r.escalated]
    with_bot = [r for r in active if r.answered_at is not None]
    sentiments = [r.sentiment for r in with_bot if r.sentiment is not None]
    shown = sorted(active, key=lambda r: (-r.risk, r.started_at or 0.0))[: board.config.live_calls_shown]
    at_risk = [r for r in with_bot if r.at_risk]
    return {
        "pbx": dict(board.live_counts),
        "pbx_ok": board.live_counts_ok,
        "pbx_updated_at": board.live_counts_at,
        "ai_calls": board.live_counts.get("ai_calls", len(with_bot)) if board.live_counts_ok else len(with_bot),
        "followed": len(active),
        # Pre-alert: pbx's count when it reports, else the calls followed here; those without an agent held.
        "at_risk": board.live_counts.get("ai_calls_at_risk", len(at_risk)) if board.live_counts_ok else len(at_risk),
        "at_risk_unreserved": sum(1 for r in at_risk if not r.reserved_agent),
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


def _render_agents(board: Board) -> list[dict[str, Any]]:
    holding = {r.reserved_agent: r.call_id for r in board.calls.values() if r.reserved_agent and not r.ended}
    return [
        {"name": a.fact.name, "display_name": a.fact.display_name or a.fact.name, "state": a.fact.state,
         "since": a.fact.since, "queues": list(a.fact.queues), "reason": a.fact.reason,
         "reserved_for": holding.get(a.fact.name) if a.fact.state == AgentState.RESERVED else None}
        for a in sorted(board.agents.values(), key=lambda a: a.fact.name)
    ]  # fmt: skip


def render(board: Board, now: float, sections: Iterable[Section] = ALL_SECTIONS) -> dict[str, Any]:
    """The board's sections as JSON-ready dicts (all of them, or the ones named)."""
    out: dict[str, Any] = {}
    for section in sections:
        if section is Section.LIVE:
            out[section.value] = _render_live(board)
        elif section is Section.QUEUES:
            out[section.value] = _render_queues(board, now)
        elif section is Section.TODAY:
            out[section.value] = _render_today(board, now)
        elif section is Section.ESCALATIONS:
            out[section.value] = _render_escalations(board)
        elif section is Section.CAMPAIGNS:
            out[section.value] = _render_campaigns(board)
        elif section is Section.AGENTS:
            out[section.value] = _render_agents(board)
    return out
