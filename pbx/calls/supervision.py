"""Supervisors on live calls: listen, whisper and barge (``supervise`` and ``stop_supervising``).

One ``SupervisorLeg`` per supervisor and call: pbx rings the supervisor's phone into its Stasis
app and, once it answers, bridges it with a snoop channel on the call (``snoop_plan`` says on
which channel, spying and whispering which way). Another mode swaps the snoop under the same
bridge: the supervisor's phone keeps its one call. The leg ends when the supervisor stops or
hangs up, when the snoop's channel goes away (the customer, or the agent being whispered to,
hung up), or when the call ends.

Each leg has one job that makes all its ARI requests, from ringing to clean-up; commands and
ARI events only say what is wanted (a mode, a stop) and what happened (answered, gone), so a
mode switch never races a hang-up. Every outcome is a ``supervisor.action`` event: the mode
once it is heard (or why not), and ``stop`` when a leg that was heard ends.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from pbx.aio import BackgroundTasks
from pbx.api import (
    AgentConnected,
    CallEnded,
    Event,
    StopSupervising,
    SuperviseCall,
    SupervisionMode,
    SupervisorActed,
    SupervisorAction,
    new_id,
)
from pbx.ari.client import AriError, AriRest
from pbx.ari.events import AriEvent
from pbx.calls.channels import hang_up
from pbx.calls.live import CallState, LiveCall
from pbx.calls.protocols import Publish
from pbx.calls.registry import CallRegistry
from pbx.calls.snoop_plan import Refused, snoop_plan

log = logging.getLogger(__name__)

# Ids pbx gives the channels it makes for supervisors: a pbx that restarts knows them for
# what they are (pbx.calls.reconcile hangs them up) rather than taking one for a caller.
SUPERVISOR_LEG_PREFIX = "supervisor-"
SNOOP_PREFIX = "snoop-"
# The supervisor's Stasis() arguments (nothing reads them but a person looking at `core show channels`).
LEG_ARGS, SNOOP_ARGS = "supervisor", "supervisor-snoop"


def is_supervision_channel(channel_id: str) -> bool:
    return channel_id.startswith((SUPERVISOR_LEG_PREFIX, SNOOP_PREFIX))


@dataclass(eq=False)
class SupervisorLeg:
    call: LiveCall
    supervisor: str
    phone: str
    mode: SupervisionMode  # wanted
    leg_id: str = field(default_factory=lambda: SUPERVISOR_LEG_PREFIX + new_id())
    bridge_id: str = field(default_factory=new_id)
    applied: SupervisionMode | None = None  # what the supervisor hears now
    snoop_id: str = ""  # the snoop bridged with the leg now
    pending: dict[str, asyncio.Event] = field(default_factory=dict)  # snoops made, not yet in Stasis
    answered: bool = False
    # An agent answered: the snoop is made anew, on their channel (``watching``), its mode unchanged.
    renew: bool = False
    stopping: str = ""  # why it ends; empty while it runs
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None

    def end(self, why: str) -> None:
        if not self.stopping:
            self.stopping = why
        self.changed.set()


class Supervision:
    def __init__(self, rest: AriRest, app: str, publish: Publish, registry: CallRegistry,
                 ring_timeout_s: int = 30, snoop_timeout_s: float = 5.0) -> None:  # fmt: skip
        self._rest = rest
        self._app = app
        self._publish = publish
        self._registry = registry
        self._ring_timeout_s = ring_timeout_s
        self._snoop_timeout_s = snoop_timeout_s
        self._legs: dict[tuple[str, str], SupervisorLeg] = {}  # (call id, supervisor) -> leg
        self._channels: dict[str, SupervisorLeg] = {}  # leg and snoop channel ids -> leg
        self._tasks = BackgroundTasks("supervision")

    @property
    def legs(self) -> dict[tuple[str, str], SupervisorLeg]:
        return dict(self._legs)

    # ------------------------------------------------------------ commands

    async def supervise(self, command: SuperviseCall) -> None:
        call = self._registry.calls.get(command.call_id)
        if call is None or call.state is CallState.ENDED:
            await self._refuse(command, SupervisorAction(command.mode), f"no live call {command.call_id}")
            return
        transfer = call.transfer
        plan = snoop_plan(command.mode, call.state, call.channel_id, transfer.agent_channel if transfer else "")
        if isinstance(plan, Refused):
            await self._refuse(command, SupervisorAction(command.mode), plan.why, call)
            return
        key = (call.call_id, command.supervisor)
        leg = self._legs.get(key)
        if leg is not None and not leg.stopping and leg.phone == command.supervisor_phone:
            leg.mode = command.mode  # the leg's job swaps the snoop: the phone keeps its call
            leg.changed.set()
            return
        if leg is not None:
            await self._finish(leg, f"moved to phone {command.supervisor_phone}")
        leg = SupervisorLeg(call, command.supervisor, command.supervisor_phone, command.mode)
        self._legs[key] = leg
        self._own(leg, leg.leg_id)
        leg.task = self._tasks.spawn(self._run(leg))

    async def stop(self, command: StopSupervising) -> None:
        leg = self._legs.get((command.call_id, command.supervisor))
        if leg is None:
            await self._refuse(command, SupervisorAction.STOP, "not supervising this call",
                               self._registry.calls.get(command.call_id))  # fmt: skip
            return
        await self._finish(leg, f"stopped by {command.supervisor}")

    async def stop_call(self, call_id: str, why: str, supervisor: str | None = None) -> None:
        """End the call's legs (``supervisor``'s only, if given) and wait until their phones are free."""
        legs = [leg for (cid, who), leg in self._legs.items() if cid == call_id and supervisor in (None, who)]
        for leg in legs:
            await self._finish(leg, why)

    async def _finish(self, leg: SupervisorLeg, why: str) -> None:
        leg.end(why)
        if leg.task is not None:
            # Shielded: a command handler cancelled meanwhile must not leave the phone on the call.
            await asyncio.shield(leg.task)

    async def _refuse(self, command: SuperviseCall | StopSupervising, action: SupervisorAction, why: str,
                      call: LiveCall | None = None) -> None:  # fmt: skip
        log.info("call %s: %s by %s refused: %s", command.call_id, action, command.supervisor, why)
        await self._publish(SupervisorActed(
            call_id=command.call_id, action=action, supervisor=command.supervisor, ok=False, detail=why,
            agent=_agent(call), phone=getattr(command, "supervisor_phone", ""),
        ))  # fmt: skip

    # ------------------------------------------------------------ the call and ARI

    def watching(self, publish: Publish) -> Publish:
        """``publish``, then what the event means for the call's supervisors: its end ends their
        legs; an agent answering makes their snoops anew, on the agent's channel (``snoop_plan``)."""

        async def publish_and_follow(event: Event) -> None:
            await publish(event)
            if isinstance(event, CallEnded | AgentConnected):
                for (call_id, _), leg in list(self._legs.items()):
                    if call_id != event.call_id:
                        continue
                    if isinstance(event, CallEnded):
                        leg.end("the call ended")
                    elif leg.applied is not None:
                        leg.renew = True
                        leg.changed.set()

        return publish_and_follow

    async def on_ari_event(self, event: AriEvent) -> bool:
        """Handle an event of a supervisor's leg or snoop; False if the channel is not one."""
        leg = self._channels.get(event.channel_id or "")
        if leg is None:
            return False
        channel_id = event.channel_id or ""
        if event.type == "StasisStart":
            if channel_id == leg.leg_id:
                leg.answered = True
            elif channel_id in leg.pending:
                leg.pending[channel_id].set()
        elif event.type in ("StasisEnd", "ChannelDestroyed"):
            if channel_id == leg.leg_id:
                leg.end("the supervisor hung up" if leg.answered else "the supervisor's phone did not answer")
            elif channel_id == leg.snoop_id:
                leg.end("the supervised channel hung up")
        leg.changed.set()
        return True

    # ------------------------------------------------------------ one leg, ringing to clean-up

    async def _run(self, leg: SupervisorLeg) -> None:
        try:
            if await self._ring(leg):
                while True:
                    leg.changed.clear()
                    if leg.stopping:
                        break
                    if leg.applied is not leg.mode or leg.renew:
                        leg.renew = False
                        await self._apply(leg)
                        continue
                    await leg.changed.wait()
        except Exception as exc:  # ARI failing under us: the leg ends, the supervisor is told why
            log.exception("call %s: %s's supervision failed", leg.call.call_id, leg.supervisor)
            leg.end(f"failed: {exc}")
        finally:
            await asyncio.shield(self._tear_down(leg))

    async def _ring(self, leg: SupervisorLeg) -> bool:
        """The supervisor's phone rung into our app and, once answered, in a bridge of its own."""
        call = leg.call
        try:
            await self._rest.post(
                "channels", endpoint=f"PJSIP/{leg.phone}", app=self._app, appArgs=LEG_ARGS, channelId=leg.leg_id,
                timeout=self._ring_timeout_s,
                # The phone's screen says which call and why it rings (the console, a desk phone's display).
                body={"variables": {"PJSIP_HEADER(add,X-CC-Call-Id)": call.call_id,
                                    "PJSIP_HEADER(add,X-CC-Supervise)": f"{leg.mode.value} {call.call_id}"}},
            )  # fmt: skip
        except AriError as exc:
            leg.end(f"phone {leg.phone} could not be rung: {exc.message}")
            return False
        try:
            async with asyncio.timeout(self._ring_timeout_s + 5):
                while not leg.answered and not leg.stopping:
                    leg.changed.clear()
                    await leg.changed.wait()
        except TimeoutError:
            leg.end("the supervisor's phone did not answer")
        if leg.stopping:
            return False
        await self._rest.post("bridges", type="mixing", bridgeId=leg.bridge_id, name=f"cc-supervise-{call.call_id}")
        self._registry.side_bridges.add(leg.bridge_id)
        await self._rest.post(f"bridges/{leg.bridge_id}/addChannel", channel=leg.leg_id)
        return True

    async def _apply(self, leg: SupervisorLeg) -> None:
        """The wanted mode's snoop bridged with the leg, then the previous snoop gone. Said
        (``supervisor.action``) when the mode changes, not when the same mode's snoop is renewed."""
        mode, call = leg.mode, leg.call
        renewed = leg.applied is mode
        transfer = call.transfer
        plan = snoop_plan(mode, call.state, call.channel_id, transfer.agent_channel if transfer else "")
        if isinstance(plan, Refused):
            await self._not_applied(leg, mode, plan.why)
            return
        snoop_id = SNOOP_PREFIX + new_id()
        ready = leg.pending[snoop_id] = asyncio.Event()
        self._own(leg, snoop_id)
        try:
            await self._rest.post(f"channels/{plan.channel_id}/snoop", spy=plan.spy, whisper=plan.whisper,
                                  app=self._app, appArgs=SNOOP_ARGS, snoopId=snoop_id)  # fmt: skip
            # Bridged only once in Stasis (an ARI channel is not in the app the moment it is made).
            async with asyncio.timeout(self._snoop_timeout_s):
                await ready.wait()
            await self._rest.post(f"bridges/{leg.bridge_id}/addChannel", channel=snoop_id)
        except (AriError, TimeoutError) as exc:
            self._disown(snoop_id)
            await hang_up(self._rest, snoop_id)
            why = exc.message if isinstance(exc, AriError) else "the snoop channel did not start"
            await self._not_applied(leg, mode, f"no snoop on the call: {why}")
            return
        finally:
            leg.pending.pop(snoop_id, None)
        old, leg.snoop_id, leg.applied = leg.snoop_id, snoop_id, mode
        if old:
            self._disown(old)  # its end is ours, not the call's
            await hang_up(self._rest, old)
        if renewed:
            return
        which = "agent's" if transfer is not None and plan.channel_id == transfer.agent_channel else "customer's"
        await self._publish(self._acted(leg, SupervisorAction(mode), ok=True,
                                        detail=f"snoop on the {which} channel: spy {plan.spy}, whisper {plan.whisper}"))

    async def _not_applied(self, leg: SupervisorLeg, mode: SupervisionMode, why: str) -> None:
        """Say why ``mode`` could not be had; the leg keeps the mode it had (or ends, having none)."""
        if leg.applied is mode:  # a renewal that failed: the snoop it has still serves
            log.warning("call %s: %s's snoop not renewed: %s", leg.call.call_id, leg.supervisor, why)
            return
        await self._publish(self._acted(leg, SupervisorAction(mode), ok=False, detail=why))
        if leg.applied is None:
            leg.end(why)
        else:
            leg.mode = leg.applied

    async def _tear_down(self, leg: SupervisorLeg) -> None:
        for channel_id in (leg.snoop_id, *leg.pending, leg.leg_id):
            if channel_id:
                self._disown(channel_id)
                await hang_up(self._rest, channel_id)
        if leg.bridge_id in self._registry.side_bridges:
            try:
                await self._rest.delete(f"bridges/{leg.bridge_id}")
            except AriError:
                pass  # already gone
            self._registry.side_bridges.discard(leg.bridge_id)
        key = (leg.call.call_id, leg.supervisor)
        if self._legs.get(key) is leg:
            del self._legs[key]
        why = leg.stopping or "ended"
        log.info("call %s: %s's %s leg ended: %s", leg.call.call_id, leg.supervisor, leg.mode, why)
        if leg.applied is not None:
            await self._publish(self._acted(leg, SupervisorAction.STOP, ok=True, detail=why))
        else:  # never heard anything: the mode asked for did not happen
            await self._publish(self._acted(leg, SupervisorAction(leg.mode), ok=False, detail=why, leg_id=""))

    def _acted(self, leg: SupervisorLeg, action: SupervisorAction, ok: bool, detail: str,
               leg_id: str | None = None) -> SupervisorActed:  # fmt: skip
        return SupervisorActed(call_id=leg.call.call_id, action=action, supervisor=leg.supervisor, ok=ok,
                               detail=detail, agent=_agent(leg.call), phone=leg.phone,
                               leg=leg.leg_id if leg_id is None else leg_id)  # fmt: skip

    def _own(self, leg: SupervisorLeg, channel_id: str) -> None:
        self._channels[channel_id] = leg
        self._registry.side_channels.add(channel_id)

    def _disown(self, channel_id: str) -> None:
        self._channels.pop(channel_id, None)
        self._registry.side_channels.discard(channel_id)


def _agent(call: LiveCall | None) -> str:
    return call.transfer.agent if call is not None and call.transfer is not None else ""
