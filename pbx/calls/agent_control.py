"""A supervisor pauses an agent or logs them out (``agent_state``): Asterisk stops offering them calls.

Django has already recorded the agent's new state; pbx makes Asterisk agree with one AMI
``QueuePause`` without a queue, which pauses the agent in every queue they are a member of.
Members are static (queues.conf, rendered from Django's memberships), so a log-out cannot take
them out (``QueueRemove`` refuses static members): they stay paused with a reason that says who
logged them out, until they log in again (the console unpauses them). A pre-alert reservation
pbx holds for them ends: the supervisor's word outranks it.
"""

from __future__ import annotations

import re

from pbx.api import ForceAgentState, SupervisorActed, SupervisorAction
from pbx.calls.protocols import Publish
from pbx.calls.reservations import PAUSE_REASON, AmiAction, Reservations

# AMI takes one line per header: a reason keeps what a name or a word of the admin's list has.
_NOT_IN_A_REASON = re.compile(r"[^A-Za-z0-9 _.@+-]+")


def pause_reason(command: ForceAgentState) -> str:
    """The reason Asterisk keeps on the paused member (``queue show``, QueueMemberPause events)."""
    if command.action == SupervisorAction.LOG_OUT_AGENT:
        text = f"logged out by {command.supervisor}"
    else:
        text = command.reason or f"paused by {command.supervisor}"
    text = " ".join(_NOT_IN_A_REASON.sub(" ", text).split())[:80]
    # "reserved" is pbx's own pre-alert hold, which pbx undoes by itself (pbx.calls.reservations).
    return "paused" if not text or text.lower() == PAUSE_REASON else text


class AgentControl:
    def __init__(self, ami: AmiAction | None, reservations: Reservations, publish: Publish) -> None:
        self._ami = ami
        self._reservations = reservations
        self._publish = publish

    async def force(self, command: ForceAgentState) -> None:
        reason = pause_reason(command)
        ok, detail = True, reason
        if self._ami is None:
            ok, detail = False, "pbx has no AMI session"
        else:
            try:
                await self._ami({"Action": "QueuePause", "Interface": f"PJSIP/{command.agent}", "Paused": "true",
                                 "Reason": reason})  # fmt: skip
            except Exception as exc:  # not a member of any queue, AMI down: said, never raised
                ok, detail = False, f"Asterisk did not pause {command.agent}: {exc}"[:300]
        if ok:
            await self._reservations.release(command.agent)
        await self._publish(SupervisorActed(action=SupervisorAction(command.action), supervisor=command.supervisor,
                                            agent=command.agent, ok=ok, detail=detail))  # fmt: skip
