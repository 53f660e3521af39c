"""A report's question, from a request's parameters: which grouping, which days.

Pure: today and the time zone are passed in. Days are whole local days, ``from`` and ``to``
both included; the window they make is ``[from 00:00, day after to 00:00)`` in the site's time
zone (settings.TIME_ZONE), so a day with a clock change is 23 or 25 hours long.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from contactcenter.reports.figures import GroupBy, Window

DEFAULT_DAYS = 7  # without from/to: the last week, today included


class QueryError(ValueError):
    """Parameters a report cannot be made from; ``errors`` names each parameter and why."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ReportQuery:
    group: GroupBy
    first_day: dt.date
    last_day: dt.date  # included
    tz: ZoneInfo

    @property
    def window(self) -> Window:
        start = dt.datetime.combine(self.first_day, dt.time(), self.tz)
        end = dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), self.tz)
        return Window(start.timestamp(), end.timestamp())

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def params(self, **changes: str) -> dict[str, str]:
        out = {"group": self.group.value, "from": self.first_day.isoformat(), "to": self.last_day.isoformat()}
        return out | changes


def _day(raw: str, name: str, errors: dict[str, str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = f"give a day as YYYY-MM-DD, not {raw[:40]!r}"
        return None


def parse(params: Mapping[str, str], *, today: dt.date, tz: ZoneInfo, max_days: int,
          default_group: GroupBy = GroupBy.DAY) -> ReportQuery:  # fmt: skip
    """The query ``?group=&from=&to=`` asks; :class:`QueryError` naming what is wrong."""
    errors: dict[str, str] = {}
    raw_group = params.get("group") or default_group.value
    try:
        group = GroupBy(raw_group)
    except ValueError:
        group = default_group
        errors["group"] = f"group by one of {', '.join(g.value for g in GroupBy)}, not {raw_group[:40]!r}"
    last = _day(params["to"], "to", errors) if params.get("to") else today
    first = _day(params["from"], "from", errors) if params.get("from") else None
    if first is None and "from" not in errors and last is not None:
        first = last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first is not None and last is not None:
        if first > last:
            errors["from"] = f"the range starts ({first}) after it ends ({last})"
        elif (days := (last - first).days + 1) > max_days:
            errors["to"] = f"a report covers at most {max_days} days; this range has {days}"
    if errors:
        raise QueryError(errors)
    assert first is not None and last is not None
    return ReportQuery(group, first, last, tz)
