"""Today's figures on the wallboard, computed by the shared ones (:mod:`contactcenter.reports.figures`).

Pure. The window is today, ``[local midnight, next local midnight)``: every call started so
far counts, and agents' time runs up to now only. The rules are the board's service
level target and the figures' own short-abandon rule, so a tile reads the same number the
day's report shows. Agents' time comes from an :class:`~contactcenter.reports.timeline.AgentTimeline`
the feeder keeps (pbx's phone events and the database's states as it reads them); a board
without one (the offline snapshot) uses the database's current states alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cached_property
from zoneinfo import ZoneInfo

from contactcenter.reports import figures, timeline
from contactcenter.reports.figures import Rules, Summary, Window
from contactcenter.reports.timeline import AgentTimeline, StateChange, StateSpan
from contactcenter.wallboard.board import Board, CallRecord
from contactcenter.wallboard.passages import ROUTED_REASONS


def window(board: Board, now: float, time_zone: str = "UTC") -> Window:
    zone = ZoneInfo(time_zone)
    tomorrow = dt.datetime.fromtimestamp(board.day_start, zone).date() + dt.timedelta(days=1)
    return Window(board.day_start, max(now, dt.datetime.combine(tomorrow, dt.time(), zone).timestamp()))


def rules(board: Board) -> Rules:
    return Rules(service_level_s=board.config.service_level_s)


def agent_changes(board: Board) -> list[StateChange]:
    """The board's current agent states (the database's, or a newer queue event's) as changes."""
    return [StateChange(a.fact.since, a.fact.name, a.fact.state) for a in board.agents.values()
            if a.fact.since is not None]  # fmt: skip


def spans(board: Board, now: float, agents: AgentTimeline | None) -> tuple[StateSpan, ...]:
    """Today's agent states up to ``now``."""
    known = agents if agents is not None else timeline.build(agent_changes(board))
    return timeline.spans(known, board.day_start, max(board.day_start, now))


class Today:
    """What the wallboard shows of today, each part computed at most once per update (on first use)."""

    def __init__(self, board: Board, now: float, agents: AgentTimeline | None, time_zone: str = "UTC") -> None:
        self._calls, self._day, self._rules = records(board), window(board, now, time_zone), rules(board)
        self._board, self._now, self._agents, self._zone = board, now, agents, ZoneInfo(time_zone)

    @cached_property
    def spans(self) -> tuple[StateSpan, ...]:
        return spans(self._board, self._now, self._agents)

    @cached_property
    def wrap(self) -> Mapping[int, float]:
        return figures.wrap_ups(self._calls, self.spans)

    @cached_property
    def summary(self) -> Summary:
        return figures.summary(self._calls, self.spans, self._day, self._rules, self.wrap)

    @cached_property
    def per_hour(self) -> tuple[figures.HourReasons, ...]:
        return figures.escalations_per_hour(self._calls, self._day)

    @cached_property
    def queues(self) -> Mapping[str, Summary]:
        return self._grouped(figures.GroupBy.QUEUE)

    @cached_property
    def agents(self) -> Mapping[str, Summary]:
        return self._grouped(figures.GroupBy.AGENT)

    def _grouped(self, by: figures.GroupBy) -> Mapping[str, Summary]:
        rows = figures.grouped(self._calls, self.spans, self._day, self._rules, by, self._zone)
        return {row.key: row.summary for row in rows}


def records(board: Board) -> list[CallRecord]:
    return list(board.calls.values())


def service_level(board: Board, now: float, time_zone: str = "UTC") -> float | None:
    """Today's service level so far (the charts' gauge)."""
    return figures.queue_figures(records(board), window(board, now, time_zone), rules(board)).service_level


def escalation_times(board: Board) -> Iterable[float]:
    """When each hand-over to a human queue happened (the charts' escalation bars)."""
    return (e.at for r in board.calls.values() for e in r.escalations if e.reason not in ROUTED_REASONS)
