"""A report: read its sources once, compute its groups and its total with the figures' module."""

from __future__ import annotations

from dataclasses import dataclass

from contactcenter.campaigns.models import Campaign
from contactcenter.people.models import Agent
from contactcenter.reports import figures, sources, timeline
from contactcenter.reports.figures import GroupBy, Summary
from contactcenter.reports.query import ReportQuery


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    summary: Summary


@dataclass(frozen=True)
class Report:
    query: ReportQuery
    rows: tuple[ReportRow, ...]
    total: Summary


def _labels(group: GroupBy, keys: list[str]) -> dict[str, str]:
    if group is GroupBy.CAMPAIGN:
        ids = [int(k) for k in keys if k.isdigit()]
        names = dict(Campaign.objects.filter(pk__in=ids).values_list("pk", "name"))
        return {k: names.get(int(k), f"campaign {k}") if k.isdigit() else "no campaign" for k in keys}
    if group is GroupBy.AGENT:
        names = dict(Agent.objects.filter(name__in=keys).values_list("name", "display_name"))
        return {k: names.get(k) or k for k in keys}
    return {k: k for k in keys}


def build(query: ReportQuery) -> Report:
    window = query.window
    records = sources.call_records(window)
    # Spans a while past the window's end: a wrap-up after the last call is its call's.
    spans = timeline.spans(timeline.build(sources.state_changes(window)), window.start,
                           window.end + sources.WRAP_UP_SLACK_S)  # fmt: skip
    rules = sources.rules()
    rows = figures.grouped(records, spans, window, rules, query.group, query.tz)
    labels = _labels(query.group, [r.key for r in rows])
    total = figures.summary([r for r in records if r.start in window], spans, window, rules,
                            figures.wrap_ups(records, spans))  # fmt: skip
    return Report(query, tuple(ReportRow(r.key, labels[r.key], r.summary) for r in rows), total)
