"""Pre-alert reservations: an agent held for one AI call that VoiceWatch says may escalate.

``reserve_agent`` pauses the agent in all its queues with the reason ``reserved`` (AMI
QueuePause), so no other call rings them while they follow this one on the console. If the
call escalates to the reservation's queue, ``ring_reserved_agent_first`` has the dialplan Dial
them before Queue(). The hold ends, and the agent is unpaused, when the risk falls back, the
call ends or escalates, after ``hold_s``, and when pbx stops; members a pbx that died left
paused as ``reserved`` are unpaused by the next one (``release_stale``). Only pauses that still
say ``reserved`` are undone: an agent who paused themselves meanwhile stays paused.

The hold follows the call through the events the engine publishes (``watching``): the
conversation reports risk as ``call.at_risk``, the engine its escalation and end.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from pbx.aio import BackgroundTasks
from pbx.api import (
    AgentConnected,
    AgentReserved,
    AgentState,
    AgentStateChanged,
    CallAtRisk,
    CallEnded,
    CallEscalated,
    CallQueued,
    Event,
    ReservationEnd,
    ReservationEnded,
    ReserveAgent,
)
from pbx.calls.live import CallState, LiveCall, Reservation
from pbx.calls.protocols import Publish
from pbx.calls.registry import CallRegistry

log = logging.getLogger(__name__)

# One AMI action (fields) -> its response and the events that answer it (pbx.ami.AmiLink.action).
AmiAction = Callable[[dict[str, str]], Awaitable[list[dict[str, str]]]]
# The queue member's pause reason, as `queue show` and QueueMemberPause events carry it.
PAUSE_REASON = AgentState.RESERVED.value


def ring_reserved_agent_first(call: LiveCall, queue: str) -> dict[str, str]:
    """The escalation's channel variables for the dialplan (``cc-reserved-agent``): the agent held
    for this call, when it escalates to the queue they were reserved from, else empty (a call
    back from a queue escalating again must not keep an earlier value)."""
    held = call.reservation
    if held is None or held.queue != queue:
        return {"CC_RESERVED_AGENT": "", "CC_AUTO_ANSWER": ""}
    held.rung = True
    return {"CC_RESERVED_AGENT": held.agent, "CC_AUTO_ANSWER": "1" if held.auto_answer else ""}


class Reservations:
    def __init__(self, registry: CallRegistry, publish: Publish, ami: AmiAction | None,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        """``ami``: None where pbx has no AMI session (every reservation is then refused)."""
        self._registry = registry
        self._publish = publish
        self._ami = ami
        self._clock = clock
        self._held: dict[str, LiveCall] = {}  # agent -> the call they are held for
        self._timers: dict[str, asyncio.TimerHandle] = {}  # agent -> their hold's timeout
        # Releases run as tasks of their own: a cancelled caller must not leave an agent paused.
        self._tasks = BackgroundTasks("reservations")

    @property
    def held(self) -> dict[str, str]:
        """Agent -> call id, for the health report and tests."""
        return {agent: call.call_id for agent, call in self._held.items()}

    def watching(self, publish: Publish) -> Publish:
        """``publish``, followed by what the event means for the call's hold."""

        async def publish_and_follow(event: Event) -> None:
            await publish(event)
            await self.follow(event)

        return publish_and_follow

    # ------------------------------------------------------------ holding

    async def reserve(self, command: ReserveAgent) -> None:
        call = self._registry.calls.get(command.call_id)
        holder = self._held.get(command.agent)
        if (self._ami is None or call is None or not _holdable(call) or (holder is not None and holder is not call)
                or (call.reservation is not None and call.reservation.agent != command.agent)):  # fmt: skip
            await self._refuse(command, "call not at risk with the bot, or agent held for another call")
            return
        until = self._clock() + command.hold_s
        if call.reservation is not None:  # the same command again (redelivered): a fresh timeout
            call.reservation.until = until
        else:
            self._held[command.agent] = call
            try:
                await self._ami({"Action": "QueuePause", "Interface": _interface(command.agent), "Paused": "true",
                                 "Reason": PAUSE_REASON})  # fmt: skip
            except Exception as exc:  # not a queue member, AMI down: nobody is held
                self._held.pop(command.agent, None)
                await self._refuse(command, str(exc))
                return
            call.reservation = Reservation(command.agent, command.queue, command.auto_answer, until)
            if not _holdable(call):  # escalated or ended while the pause was on its way
                await self.end(call, ReservationEnd.UNAVAILABLE)
                return
        self._arm_timeout(call, command.agent, command.hold_s)
        await self._publish(AgentReserved(call_id=call.call_id, agent=command.agent, queue=command.queue, until=until))
        await self._publish(AgentStateChanged(agent=command.agent, state=AgentState.RESERVED, queue=command.queue,
                                              call_id=call.call_id))  # fmt: skip

    async def _refuse(self, command: ReserveAgent, why: str) -> None:
        log.info("call %s: agent %s not reserved (%s)", command.call_id, command.agent, why)
        await self._publish(ReservationEnded(call_id=command.call_id, agent=command.agent,
                                             why=ReservationEnd.UNAVAILABLE))  # fmt: skip

    def _arm_timeout(self, call: LiveCall, agent: str, hold_s: float) -> None:
        self._cancel_timeout(agent)
        loop = asyncio.get_running_loop()
        self._timers[agent] = loop.call_later(hold_s, lambda: self._tasks.spawn(self.end(call, ReservationEnd.TIMEOUT)))

    def _cancel_timeout(self, agent: str) -> None:
        timer = self._timers.pop(agent, None)
        if timer is not None:
            timer.cancel()

    # ------------------------------------------------------------ following the call

    async def follow(self, event: Event) -> None:
        call = self._registry.calls.get(event.call_id or "")
        if call is None:
            return
        if isinstance(event, CallAtRisk):
            call.at_risk = event.active and call.state is CallState.WITH_BOT
        elif isinstance(event, CallEscalated):
            call.at_risk = False
        held = call.reservation
        if held is None:
            return
        if isinstance(event, CallAtRisk) and not event.active and not held.rung:
            await self.end(call, ReservationEnd.RISK_FELL)
        elif isinstance(event, CallEscalated):
            if held.rung:
                self._cancel_timeout(held.agent)  # the Dial's own timeout decides now
            else:  # to another queue than theirs: the agent goes back to their queues
                await self.end(call, ReservationEnd.ESCALATED)
        elif isinstance(event, AgentConnected):
            await self.end(call, ReservationEnd.ESCALATED, free=event.agent != held.agent)
        elif isinstance(event, CallQueued):  # the reserved agent did not answer: Queue() is ringing
            await self.end(call, ReservationEnd.ESCALATED)
        elif isinstance(event, CallEnded):
            await self.end(call, ReservationEnd.ESCALATED if held.rung else ReservationEnd.CALL_ENDED)

    # ------------------------------------------------------------ ending

    async def end(self, call: LiveCall, why: ReservationEnd, free: bool = True) -> None:
        """Once per hold: unpause the agent, then say so. ``free``: the agent takes calls again
        (False when they are on this call now)."""
        held, call.reservation = call.reservation, None
        if held is None:
            return
        if self._held.get(held.agent) is call:
            del self._held[held.agent]
        self._cancel_timeout(held.agent)
        await asyncio.shield(self._tasks.spawn(self._unpause(held.agent)))
        await self._publish(ReservationEnded(call_id=call.call_id, agent=held.agent, why=why))
        if free:
            await self._publish(AgentStateChanged(agent=held.agent, state=AgentState.AVAILABLE, queue=held.queue,
                                                  call_id=call.call_id))  # fmt: skip

    async def release(self, agent: str) -> None:
        """``agent`` may no longer be held (a supervisor paused or logged them out): their hold
        ends, and they stay paused (only a pause still saying ``reserved`` would be undone)."""
        call = self._held.get(agent)
        if call is not None:
            await self.end(call, ReservationEnd.UNAVAILABLE, free=False)

    async def release_all(self) -> None:
        """pbx is stopping: every held agent back in their queues."""
        for call in list(self._held.values()):
            await self.end(call, ReservationEnd.UNAVAILABLE)

    async def release_stale(self) -> list[str]:
        """Members paused as ``reserved`` for no call this pbx holds (a pbx that died, an AMI
        session lost mid-release): unpaused, and said to be available. Their names."""
        stale = sorted({name for name, _ in await self._reserved_members() if name not in self._held})
        for agent in stale:
            await self._unpause(agent)
            await self._publish(AgentStateChanged(agent=agent, state=AgentState.AVAILABLE))
        if stale:
            log.warning("unpaused agent(s) left reserved for no call: %s", ", ".join(stale))
        return stale

    async def release_stale_forever(self, ready: Callable[[], bool], every_s: float = 60.0) -> None:
        """At start-up as soon as AMI is ``ready``, then every ``every_s``."""
        while True:
            if not ready():
                await asyncio.sleep(0.5)
                continue
            try:
                await self.release_stale()
            except Exception as exc:  # AMI lost meanwhile: next round
                log.warning("reserved agents not checked: %s", exc)
            await asyncio.sleep(every_s)

    async def _unpause(self, agent: str) -> None:
        """Unpause ``agent`` in the queues where their pause is still ours."""
        try:
            for _, queue in await self._reserved_members(agent):
                await self._ami({"Action": "QueuePause", "Interface": _interface(agent), "Queue": queue,  # type: ignore[misc]
                                 "Paused": "false"})  # fmt: skip
        except Exception as exc:  # the next release_stale round unpauses them
            log.warning("agent %s not unpaused yet: %s", agent, exc)

    async def _reserved_members(self, agent: str | None = None) -> list[tuple[str, str]]:
        """(member name, queue) of every membership paused as ``reserved`` (``agent``'s only, if given)."""
        if self._ami is None:
            return []
        fields = {"Action": "QueueStatus", **({"Member": _interface(agent)} if agent else {})}
        return [(m.get("Name", ""), m.get("Queue", "")) for m in await self._ami(fields)
                if m.get("Event") == "QueueMember" and m.get("Paused") == "1" and m.get("PausedReason") == PAUSE_REASON]


def _holdable(call: LiveCall) -> bool:
    return call.state is CallState.WITH_BOT and call.at_risk


def _interface(agent: str) -> str:
    return f"PJSIP/{agent}"
