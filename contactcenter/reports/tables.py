"""A report's columns, once, for the page, the CSV and the JSON alike: a name (the JSON key and
the CSV header), a label, and how to read it from a :class:`~contactcenter.reports.figures.Summary`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from contactcenter.reports.figures import Spread, Summary

Value = int | float | str | None


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    read: Callable[[Summary], Value]
    unit: str = ""  # "ratio" (shown as %), "s", or "" (a count, or text)
    help: str = ""


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _counts(counts: Mapping[str, int]) -> str:
    return "; ".join(f"{k} {v}" for k, v in counts.items())


def _mean(spread: Spread) -> float | None:
    return _r(spread.mean)


COLUMNS: tuple[Column, ...] = (
    Column("calls", "Calls", lambda s: s.calls.calls, help="calls that started in the range"),
    Column("answered", "Answered", lambda s: s.calls.answered, help="reached a bot or a person"),
    Column("ai_calls", "AI calls", lambda s: s.containment.ai_calls, help="answered by a bot, over"),
    Column("bot_completed", "Bot completed", lambda s: s.containment.bot_completed),
    Column("containment", "Containment", lambda s: _ratio(s.containment.rate), "ratio",
           "bot completed / AI calls"),
    Column("escalations", "Escalations", lambda s: s.escalations.count),
    Column("escalation_latency_p50_s", "Escalation latency p50", lambda s: _r(s.escalations.latency.p50, 2),
           "s", "decision → queue join"),
    Column("escalation_latency_p95_s", "Escalation latency p95", lambda s: _r(s.escalations.latency.p95, 2),
           "s"),
    Column("offered", "Offered to queues", lambda s: s.queues.offered, help="queue passages"),
    Column("answered_by_agent", "Answered by agents", lambda s: s.queues.answered),
    Column("asa_s", "ASA", lambda s: _mean(s.queues.answer_time), "s", "average queue join → agent"),
    Column("answer_time_p95_s", "Answer time p95", lambda s: _r(s.queues.answer_time.p95), "s"),
    Column("wait_s", "Average wait", lambda s: _mean(s.queues.wait), "s"),
    Column("wait_p95_s", "Wait p95", lambda s: _r(s.queues.wait.p95), "s"),
    Column("abandoned", "Abandoned", lambda s: s.queues.abandoned, help="short abandons not included"),
    Column("short_abandons", "Short abandons", lambda s: s.queues.short_abandons),
    Column("abandon_rate", "Abandon rate", lambda s: _ratio(s.queues.abandon_rate), "ratio"),
    Column("service_level", "Service level", lambda s: _ratio(s.queues.service_level), "ratio",
           "answered within the queue's service level"),
    Column("returned_to_bot", "Returned to bot", lambda s: s.queues.returned_to_bot),
    Column("transferred", "Transferred on", lambda s: s.queues.transferred),
    Column("handled", "Handled by agents", lambda s: s.handling.handled),
    Column("aht_s", "AHT", lambda s: _r(s.handling.aht_s), "s", "talk + wrap-up per call handled"),
    Column("talk_s", "Average talk", lambda s: _mean(s.handling.talk), "s"),
    Column("wrap_up_s", "Wrap-up", lambda s: _r(s.handling.wrap_up_s), "s", "in all"),
    Column("occupancy", "Occupancy", lambda s: _ratio(s.occupancy.rate) if s.occupancy else None, "ratio",
           "(on a call + wrap-up + ringing) / logged in"),
    Column("calls_per_agent", "Calls per agent", lambda s: _r(s.calls_per_agent)),
    Column("escalation_reasons", "Escalation reasons", lambda s: _counts(s.escalations.by_reason)),
    Column("outcomes", "Outcomes", lambda s: _counts(s.outcomes)),
)  # fmt: skip


def values(summary: Summary) -> dict[str, Value]:
    return {c.name: c.read(summary) for c in COLUMNS}


def shown(column: Column, value: Value) -> str:
    """A value as the page shows it."""
    if value is None or value == "":
        return "—"
    if column.unit == "ratio" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if column.unit == "s":
        return f"{value:g} s"
    return str(value)


def as_json(summary: Summary) -> dict[str, Any]:
    """The columns, with the counts behind the text ones as objects."""
    out: dict[str, Any] = values(summary)
    out["escalation_reasons"] = dict(summary.escalations.by_reason)
    out["outcomes"] = dict(summary.outcomes)
    out["agent_seconds_by_state"] = (
        {k: round(v, 1) for k, v in summary.occupancy.by_state.items()} if summary.occupancy else None)
    return out
