"""A supervisor takes an AI call over by hand (``takeover``): to their own phone, or their queue.

A takeover outranks the bot: once the command is handled no escalation VoiceWatch decides is
acted on, and one already under way steps aside if the caller has not left Stasis yet
(``Escalation.take_over``). A supervisor listening to the call is taken off it first, so their
phone (or their place in the queue) is free to ring. Other supervisors keep listening: their
snoops sit on the customer's channel, which goes wherever the call goes.
"""

from __future__ import annotations

import logging

from pbx.api import SupervisorActed, SupervisorAction, SupervisorTakeover
from pbx.ari.client import AriError
from pbx.calls.escalation import Escalation, TakeoverRefused
from pbx.calls.live import CallState
from pbx.calls.protocols import Publish
from pbx.calls.registry import CallRegistry
from pbx.calls.supervision import Supervision

log = logging.getLogger(__name__)


class Takeovers:
    def __init__(self, registry: CallRegistry, escalation: Escalation, supervision: Supervision,
                 publish: Publish) -> None:  # fmt: skip
        self._registry = registry
        self._escalation = escalation
        self._supervision = supervision
        self._publish = publish

    async def take_over(self, command: SupervisorTakeover) -> None:
        where = f"phone {command.supervisor_phone}" if command.supervisor_phone else f"queue {command.supervisor_queue}"
        call = self._registry.calls.get(command.call_id)
        why = ""
        if call is None or call.state is CallState.ENDED:
            why = f"no live call {command.call_id}"
        elif call.state not in (CallState.WITH_BOT, CallState.ESCALATING):
            why = f"the call is {call.state.value}, no longer with the bot"
        if call is None or why:
            await self._acted(command, ok=False, detail=why)
            return
        # Claimed before anything is awaited: a VoiceWatch decision from here on gives way.
        call.taken_over_by = command.supervisor or "supervisor"
        await self._supervision.stop_call(call.call_id, f"took the call over to {where}", command.supervisor)
        try:
            await self._escalation.take_over(call, command.supervisor, queue=command.supervisor_queue,
                                             phone=command.supervisor_phone)  # fmt: skip
        except TakeoverRefused as exc:
            await self._acted(command, ok=False, detail=str(exc))
            return
        except AriError as exc:
            await self._acted(command, ok=False, detail=f"Asterisk refused the move: {exc.message}")
            return
        log.info("call %s: taken over by %s to %s", call.call_id, command.supervisor, where)
        await self._acted(command, ok=True, detail=f"to {where}")

    async def _acted(self, command: SupervisorTakeover, ok: bool, detail: str) -> None:
        await self._publish(SupervisorActed(call_id=command.call_id, action=SupervisorAction.TAKEOVER,
                                            supervisor=command.supervisor, ok=ok, detail=detail,
                                            phone=command.supervisor_phone))  # fmt: skip
