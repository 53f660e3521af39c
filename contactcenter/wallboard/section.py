"""The parts of the wallboard page: the board says which changed, the page renders each."""

from __future__ import annotations

from enum import StrEnum


class Section(StrEnum):
    """What the page renders; an update carries only the sections that changed."""

    LIVE = "live"  # AI calls in progress: pbx's live counts and the calls we follow
    QUEUES = "queues"  # per human queue: waiting, longest wait, agents by state, today
    TODAY = "today"  # calls today: totals and rates
    ESCALATIONS = "escalations"  # the recent escalations, newest first
    CAMPAIGNS = "campaigns"  # per campaign progress and pacing
    AGENTS = "agents"  # every agent and its state
    ABANDONED = "abandoned"  # today's callers who left a queue unanswered (the callback list)
    CHARTS = "charts"  # the last hour, one point per step (history.py)


ALL_SECTIONS = frozenset(Section)
