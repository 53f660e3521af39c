"""The reports' pages: the table and charts of one grouping over a range of days, and its CSV.

For supervisors and admins (``Action.READ_LEADS``: leads, results and the reports); agents get
403 and anonymous users the log-in page. Every figure comes from
:mod:`contactcenter.reports.figures` through :func:`contactcenter.reports.services.build`.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from contactcenter.campaigns.csv_export import csv_lines
from contactcenter.people.doors import page_for
from contactcenter.people.policy import Action
from contactcenter.reports import charts, services, tables
from contactcenter.reports.figures import GroupBy
from contactcenter.reports.query import QueryError, ReportQuery, parse


def query_of(request: HttpRequest) -> ReportQuery:
    """The request's ``group``/``from``/``to`` (:class:`QueryError` if they make no report)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate(timezone=tz)
    return parse(request.GET, today=today, tz=tz, max_days=settings.CC_REPORTS_MAX_DAYS)


def _charts(report: services.Report) -> str:
    by_name = {c.name: c for c in tables.COLUMNS}
    drawn = []
    for name, title, scale in (("calls", "Calls", None), ("service_level", "Service level", 1.0),
                               ("aht_s", "Average handle time", None), ("abandon_rate", "Abandon rate", 1.0)):
        column = by_name[name]
        bars = []
        for row in report.rows:
            value = column.read(row.summary)
            number = float(value) if isinstance(value, int | float) else None
            bars.append(charts.Bar(row.label, number, tables.shown(column, value)))
        drawn.append(charts.bars(title, bars, scale_max=scale))
    return "".join(drawn)  # every label and value escaped by charts.bars


@require_GET
@page_for(Action.READ_LEADS)
def reports(request: HttpRequest) -> HttpResponse:
    try:
        query = query_of(request)
    except QueryError as exc:
        context = {"errors": exc.errors, "params": request.GET, "groups": list(GroupBy)}
        return render(request, "reports/reports.html", context, status=400)
    report = services.build(query)
    rows = [(row.label, [tables.shown(c, c.read(row.summary)) for c in tables.COLUMNS])
            for row in report.rows]  # fmt: skip
    context = {
        "report": report, "query": query, "columns": tables.COLUMNS, "rows": rows, "groups": list(GroupBy),
        "total": [tables.shown(c, c.read(report.total)) for c in tables.COLUMNS],
        "charts": mark_safe(_charts(report)),  # noqa: S308 - built from escaped parts (charts.bars)
        "params": query.params(), "csv_query": urlencode(query.params()),
        "group_links": [(g, urlencode(query.params(group=g.value))) for g in GroupBy],
        "time_zone": settings.TIME_ZONE,
    }  # fmt: skip
    return render(request, "reports/reports.html", context)


def _csv_rows(report: services.Report) -> Iterator[list[object]]:
    for row in report.rows:
        yield [row.key, row.label, *tables.values(row.summary).values()]
    yield ["", "total", *tables.values(report.total).values()]


@require_GET
@page_for(Action.READ_LEADS)
def reports_csv(request: HttpRequest) -> HttpResponse:
    try:
        query = query_of(request)
    except QueryError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    report = services.build(query)
    header = [query.group.value, "label", *(c.name for c in tables.COLUMNS)]
    lines = csv_lines(header, _csv_rows(report))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = f"report-{query.group.value}-{query.first_day}-{query.last_day}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
