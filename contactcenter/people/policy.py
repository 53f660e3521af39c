"""Who may do what: every door (API, pages, websockets, the admin site) asks :func:`may`.

The rules are one table, :data:`RULES`, from what is asked (an :class:`Action`) to the roles
that may. The doors themselves are in :mod:`contactcenter.people.doors`; which call an agent
may see is the console's rule (a call must have been offered to that agent).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from contactcenter.people.roles import Role, role_of


class Action(StrEnum):
    READ_CONFIGURATION = "read configuration"  # campaigns, queues, agents, do-not-call, imports
    CONFIGURE = "change configuration"  # every write of the above, deleting do-not-call entries too
    RUN_CAMPAIGNS = "run campaigns"  # start and pause a campaign, dial a preview lead, dispose an attempt
    READ_LEADS = "read leads"  # leads, call attempts, results and their exports: the reports
    WATCH_FLOOR = "watch the floor"  # the wallboard, page and websocket
    SUPERVISE = "supervise calls and agents"  # listen / whisper / barge, take an AI call over, force a pause
    WORK_CONSOLE = "work the console"  # the agent console, page, API and websocket
    READ_METRICS = "read metrics"  # GET /metrics in a browser (Prometheus sends the metrics token instead)
    ADMINISTER = "use the admin site"


RULES: dict[Action, frozenset[Role]] = {
    Action.READ_CONFIGURATION: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    Action.CONFIGURE: frozenset({Role.ADMIN}),
    Action.RUN_CAMPAIGNS: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    Action.READ_LEADS: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    Action.WATCH_FLOOR: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    Action.SUPERVISE: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    Action.WORK_CONSOLE: frozenset({Role.AGENT}),
    Action.READ_METRICS: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    Action.ADMINISTER: frozenset({Role.ADMIN}),
}


def may(user: Any, action: Action) -> bool:
    return role_of(user) in RULES[action]


def home_of(user: Any) -> str:
    """Where a user lands after logging in without a page to go back to."""
    return {Role.ADMIN: "/admin/", Role.SUPERVISOR: "/wallboard/", Role.AGENT: "/console/"}.get(role_of(user), "/")
