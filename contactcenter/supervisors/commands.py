"""The pbx command each supervisor request becomes. Pure: no database, no Redis.

Who asked is always the logged-in user (:class:`Supervisor`, built by the caller from the
session), never a name from the request; the phone and queue are the supervisor's profile's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pbx.api import ForceAgentState, StopSupervising, SuperviseCall, SupervisionMode, SupervisorTakeover

# pbx names calls with UUIDs (pbx.api.new_id); nothing else reaches a command as a call id.
CALL_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

TakeoverTo = Literal["phone", "queue"]
TAKEOVER_TO: tuple[str, ...] = TakeoverTo.__args__  # type: ignore[attr-defined]


class NotSetUp(Exception):
    """The supervisor has no phone (or no queue) for this: an admin sets it in their profile."""


@dataclass(frozen=True)
class Supervisor:
    name: str  # the Django user name: the ledger's "who"
    phone: str = ""  # their phone's endpoint (an agent name), "" when they have none
    queue: str = ""  # their own queue for take-overs, "" when they have none


def is_call_id(value: str) -> bool:
    return CALL_ID.fullmatch(value) is not None


def _phone(supervisor: Supervisor) -> str:
    if not supervisor.phone:
        raise NotSetUp(
            f"{supervisor.name} has no phone to listen on: an admin sets one in their supervisor profile"
        )
    return supervisor.phone


def supervise(supervisor: Supervisor, call_id: str, mode: SupervisionMode) -> SuperviseCall:
    return SuperviseCall(
        call_id=call_id, mode=mode, supervisor=supervisor.name, supervisor_phone=_phone(supervisor)
    )


def stop(supervisor: Supervisor, call_id: str) -> StopSupervising:
    return StopSupervising(call_id=call_id, supervisor=supervisor.name)


def takeover(supervisor: Supervisor, call_id: str, to: TakeoverTo) -> SupervisorTakeover:
    if to == "phone":
        return SupervisorTakeover(
            call_id=call_id, supervisor_phone=_phone(supervisor), supervisor=supervisor.name
        )
    if not supervisor.queue:
        raise NotSetUp(
            f"{supervisor.name} has no queue of their own: an admin sets one in their supervisor profile"
        )
    return SupervisorTakeover(call_id=call_id, supervisor_queue=supervisor.queue, supervisor=supervisor.name)


def force(supervisor: Supervisor, agent: str, action: Literal["pause_agent", "log_out_agent"],
          reason: str = "") -> ForceAgentState:  # fmt: skip
    return ForceAgentState(agent=agent, action=action, reason=reason, supervisor=supervisor.name)
