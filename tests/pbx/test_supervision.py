"""Supervisors in the call engine, against a scripted ARI and AMI: the ARI requests each mode
makes, a mode switch on the same leg, every way a leg ends, takeovers racing VoiceWatch, forced
agent states, and refusals that are said (``supervisor.action`` ok=False), never raised."""

from __future__ import annotations

import asyncio
from typing import Any, get_args

import pytest

from pbx.ami_listener import AmiEvent
from pbx.api import (
    AgentConnected,
    CallEscalated,
    Command,
    Event,
    ForceAgentState,
    ReserveAgent,
    StopSupervising,
    SuperviseCall,
    SupervisionMode,
    SupervisorActed,
    SupervisorTakeover,
)
from pbx.ari.events import AriEvent
from pbx.calls.agent_control import pause_reason
from pbx.calls.engine import CallEngine
from pbx.calls.live import CallState, LiveCall, Transfer
from pbx.calls.snoop_plan import Refused, SnoopPlan, snoop_plan
from pbx.calls.supervision import SNOOP_PREFIX, SUPERVISOR_LEG_PREFIX
from pbx.media.codec import ULAW
from tests.pbx.fakes import FakeAri
from tests.pbx.test_reservations import FakeAmi

CALL, CUSTOMER, AGENT_CHANNEL = "call-1", "chan-customer", "chan-agent"
BOSS, PHONE = "boss", "sup1"


def ari_event(kind: str, channel_id: str, **raw) -> AriEvent:
    return AriEvent.from_json({"type": kind, "application": "cc", "timestamp": "t", "channel": {"id": channel_id}, **raw})


class GatedAri(FakeAri):
    """A FakeAri whose requests to paths starting with ``gate_prefix`` wait until ``opened``."""

    def __init__(self) -> None:
        super().__init__()
        self.gate_prefix = ""
        self.opened = asyncio.Event()

    async def post(self, path: str, body: Any = None, **params: Any) -> Any:
        if self.gate_prefix and path.startswith(self.gate_prefix):
            self._record("POST", path, {**params, **({"body": body} if body else {})})
            await self.opened.wait()
            return {}
        return await super().post(path, body, **params)


class Floor:
    """An engine holding one answered call, and what it published."""

    def __init__(self, state: CallState = CallState.WITH_BOT, agent_channel: str = "", ami: FakeAmi | None = None,
                 ari: FakeAri | None = None) -> None:  # fmt: skip
        self.ari = ari or FakeAri()
        self.events: list[Event] = []
        self.ami = ami

        async def publish(event: Event) -> None:
            self.events.append(event)

        self.engine = CallEngine(self.ari, publish, "cc", lambda call: None, ULAW, failsafe_queue="support",
                                 ami=ami.action if ami else None)  # fmt: skip
        self.call = LiveCall(call_id=CALL, channel_id=CUSTOMER, direction="outbound", command=None, state=state,
                             answered_at=1.0)  # fmt: skip
        if state is CallState.WITH_AGENT:
            self.call.transfer = Transfer("t-1", "support", "anger", 0.9, 1.0, 1.0, agent="agent1",
                                          agent_channel=agent_channel)  # fmt: skip
        self.engine.registry.add(self.call)

    async def command(self, command: Command) -> None:
        await self.engine.handle_command(command)

    async def event(self, kind: str, channel_id: str, **raw) -> None:
        await self.engine.on_event(ari_event(kind, channel_id, **raw))

    def acted(self) -> list[SupervisorActed]:
        return [e for e in self.events if isinstance(e, SupervisorActed)]

    async def until_acted(self, count: int) -> list[SupervisorActed]:
        async with asyncio.timeout(5):
            while len(self.acted()) < count:
                await asyncio.sleep(0)
        return self.acted()

    async def posted(self, prefix: str, count: int = 1) -> list[tuple[str, dict[str, Any]]]:
        """The first ``count`` POSTs whose path starts with ``prefix``, once made."""
        async with asyncio.timeout(5):
            while len(found := [(p, q) for m, p, q in self.ari.requests if m == "POST" and p.startswith(prefix)]) < count:
                await asyncio.sleep(0)
        return found[:count]

    async def answered(self, mode: str = "listen") -> tuple[str, str]:
        """Supervise in ``mode``, the phone answers and the snoop starts: (leg id, snoop id)."""
        await self.command(SuperviseCall(call_id=CALL, mode=mode, supervisor=BOSS, supervisor_phone=PHONE))
        [(_, originate)] = await self.posted("channels")
        leg = originate["channelId"]
        await self.event("StasisStart", leg, args=["supervisor"])
        [(_, snoop)] = await self.snoops(1)
        await self.event("StasisStart", snoop["snoopId"], args=["supervisor-snoop"])
        await self.until_acted(1)
        return leg, snoop["snoopId"]

    async def snoops(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        async with asyncio.timeout(5):
            while len(found := [(p, q) for m, p, q in self.ari.requests if m == "POST" and p.endswith("/snoop")]) < count:
                await asyncio.sleep(0)
        return found[:count]

    def deleted(self) -> list[str]:
        return self.ari.paths("DELETE")


# ------------------------------------------------------------------ which channel, which way (pure)


@pytest.mark.parametrize(("mode", "state", "agent_channel", "plan"), [
    ("listen", CallState.WITH_BOT, "", SnoopPlan(CUSTOMER, "both", "none")),
    ("barge", CallState.WITH_BOT, "", SnoopPlan(CUSTOMER, "both", "both")),
    ("listen", CallState.QUEUED, "", SnoopPlan(CUSTOMER, "both", "none")),
    ("listen", CallState.WITH_AGENT, AGENT_CHANNEL, SnoopPlan(AGENT_CHANNEL, "both", "none")),
    ("whisper", CallState.WITH_AGENT, AGENT_CHANNEL, SnoopPlan(AGENT_CHANNEL, "both", "out")),
    ("barge", CallState.WITH_AGENT, AGENT_CHANNEL, SnoopPlan(AGENT_CHANNEL, "both", "both")),
    # The agent's channel unknown: the customer's, whispering into what the bridge carries to the agent.
    ("whisper", CallState.WITH_AGENT, "", SnoopPlan(CUSTOMER, "both", "in")),
    ("listen", CallState.WITH_AGENT, "", SnoopPlan(CUSTOMER, "both", "none")),
])  # fmt: skip
def test_the_snoop_hangs_where_the_customer_never_hears_a_whisper(mode, state, agent_channel, plan) -> None:
    assert snoop_plan(SupervisionMode(mode), state, CUSTOMER, agent_channel) == plan


@pytest.mark.parametrize(("mode", "state"), [
    ("whisper", CallState.WITH_BOT), ("whisper", CallState.QUEUED), ("whisper", CallState.ESCALATING),
    ("listen", CallState.DIALING), ("listen", CallState.SCREENING), ("barge", CallState.ENDED),
])  # fmt: skip
def test_nothing_to_whisper_to_or_nothing_to_hear_is_refused(mode, state) -> None:
    assert isinstance(snoop_plan(SupervisionMode(mode), state, CUSTOMER, AGENT_CHANNEL if mode != "whisper" else ""),
                      Refused)  # fmt: skip


# ------------------------------------------------------------------ listen, switch, stop


async def test_listening_rings_the_phone_then_bridges_it_with_a_snoop_on_the_customer() -> None:
    floor = Floor()
    leg, snoop = await floor.answered("listen")
    [(_, originate)] = await floor.posted("channels")
    assert originate["endpoint"] == f"PJSIP/{PHONE}" and originate["app"] == "cc"
    assert leg.startswith(SUPERVISOR_LEG_PREFIX) and snoop.startswith(SNOOP_PREFIX)
    assert originate["body"]["variables"] == {"PJSIP_HEADER(add,X-CC-Call-Id)": CALL,
                                              "PJSIP_HEADER(add,X-CC-Supervise)": f"listen {CALL}"}  # fmt: skip
    [(path, params)] = await floor.snoops(1)
    assert path == f"channels/{CUSTOMER}/snoop" and (params["spy"], params["whisper"]) == ("both", "none")
    [(_, bridge)] = await floor.posted("bridges", 1)
    adds = [q["channel"] for _, q in await floor.posted(f"bridges/{bridge['bridgeId']}/addChannel", 2)]
    assert adds == [leg, snoop]
    [acted] = floor.acted()
    assert (acted.action, acted.ok, acted.supervisor, acted.phone, acted.leg) == ("listen", True, BOSS, PHONE, leg)
    # pbx owns them: a reconnect's reconcile leaves them be.
    assert floor.engine.registry.owns_channel(leg) and floor.engine.registry.owns_bridge(bridge["bridgeId"])


async def test_another_mode_swaps_the_snoop_under_the_same_leg() -> None:
    floor = Floor()
    leg, first = await floor.answered("listen")
    await floor.command(SuperviseCall(call_id=CALL, mode="barge", supervisor=BOSS, supervisor_phone=PHONE))
    [_, (path, params)] = await floor.snoops(2)
    assert (path, params["spy"], params["whisper"]) == (f"channels/{CUSTOMER}/snoop", "both", "both")
    await floor.event("StasisStart", params["snoopId"])
    acted = await floor.until_acted(2)
    assert [(a.action, a.ok, a.leg) for a in acted] == [("listen", True, leg), ("barge", True, leg)]
    assert floor.ari.paths("POST").count("channels") == 1  # the phone kept its one call
    assert floor.deleted() == [f"channels/{first}"]  # the old snoop went once the new one was heard
    # Its end is not the call's: the leg carries on.
    await floor.event("ChannelDestroyed", first)
    assert floor.engine.supervision.legs[(CALL, BOSS)].snoop_id == params["snoopId"]


async def test_when_an_agent_answers_the_snoop_moves_to_their_channel_without_a_new_action() -> None:
    floor = Floor()
    leg, first = await floor.answered("listen")
    await floor.engine.escalate(floor.call, "support", "anger", 0.9, "VoiceWatch")
    await floor.engine.on_ami_event(ami_event("AgentConnect", MemberName="agent1", DestUniqueid=AGENT_CHANNEL))
    [_, (path, params)] = await floor.snoops(2)
    assert (path, params["whisper"]) == (f"channels/{AGENT_CHANNEL}/snoop", "none")
    await floor.event("StasisStart", params["snoopId"])
    async with asyncio.timeout(5):
        while f"channels/{first}" not in floor.deleted():
            await asyncio.sleep(0)
    assert [(a.action, a.ok) for a in floor.acted()] == [("listen", True)]
    assert floor.engine.supervision.legs[(CALL, BOSS)].snoop_id == params["snoopId"]


async def test_a_whisper_with_the_bot_is_refused_and_the_leg_keeps_its_mode() -> None:
    floor = Floor()
    await floor.answered("listen")
    await floor.command(SuperviseCall(call_id=CALL, mode="whisper", supervisor=BOSS, supervisor_phone=PHONE))
    refused = (await floor.until_acted(2))[-1]
    assert (refused.action, refused.ok) == ("whisper", False) and "no agent" in refused.detail
    assert len(await floor.snoops(1)) == 1 and floor.engine.supervision.legs[(CALL, BOSS)].mode == "listen"


async def test_a_whisper_on_a_human_call_goes_into_the_agents_channel_only() -> None:
    floor = Floor(CallState.WITH_AGENT, agent_channel=AGENT_CHANNEL)
    await floor.answered("whisper")
    [(path, params)] = await floor.snoops(1)
    assert (path, params["spy"], params["whisper"]) == (f"channels/{AGENT_CHANNEL}/snoop", "both", "out")
    [acted] = floor.acted()
    assert acted.ok and acted.agent == "agent1" and "agent's channel" in acted.detail


async def test_stopping_hangs_up_the_leg_and_its_snoop_and_says_so() -> None:
    floor = Floor()
    leg, snoop = await floor.answered("listen")
    await floor.command(StopSupervising(call_id=CALL, supervisor=BOSS))
    stop = floor.acted()[-1]
    assert (stop.action, stop.ok, stop.leg, stop.detail) == ("stop", True, leg, "stopped by boss")
    assert set(floor.deleted()) >= {f"channels/{snoop}", f"channels/{leg}"}
    assert any(path.startswith("bridges/") for path in floor.deleted())
    assert floor.engine.supervision.legs == {} and not floor.engine.registry.side_channels
    assert not floor.engine.registry.side_bridges


@pytest.mark.parametrize(("gone", "why"), [("leg", "the supervisor hung up"),
                                           ("snoop", "the supervised channel hung up")])  # fmt: skip
async def test_a_leg_ends_when_the_supervisor_or_the_spied_channel_hangs_up(gone, why) -> None:
    floor = Floor()
    leg, snoop = await floor.answered("listen")
    await floor.event("StasisEnd", leg if gone == "leg" else snoop)
    stop = (await floor.until_acted(2))[-1]
    assert (stop.action, stop.ok, stop.detail) == ("stop", True, why)
    assert floor.engine.supervision.legs == {}


async def test_the_calls_end_ends_its_supervisors() -> None:
    floor = Floor()
    leg, _ = await floor.answered("listen")
    await floor.event("ChannelDestroyed", CUSTOMER, cause=16)  # the customer hung up
    stop = (await floor.until_acted(2))[-1]
    assert (stop.action, stop.detail) == ("stop", "the call ended")
    assert f"channels/{leg}" in floor.deleted()


async def test_a_phone_that_does_not_answer_is_said_and_nothing_is_bridged() -> None:
    floor = Floor()
    await floor.command(SuperviseCall(call_id=CALL, mode="listen", supervisor=BOSS, supervisor_phone=PHONE))
    [(_, originate)] = await floor.posted("channels")
    await floor.event("ChannelDestroyed", originate["channelId"], cause=19)
    [acted] = await floor.until_acted(1)
    assert (acted.action, acted.ok, acted.leg) == ("listen", False, "")
    assert "did not answer" in acted.detail
    assert not [p for p in floor.ari.paths("POST") if p.startswith("bridges") or p.endswith("/snoop")]


async def test_refusals_are_said_never_raised() -> None:
    floor = Floor()
    await floor.command(SuperviseCall(call_id="nope", mode="listen", supervisor=BOSS, supervisor_phone=PHONE))
    await floor.command(StopSupervising(call_id=CALL, supervisor=BOSS))
    await floor.command(SupervisorTakeover(call_id="nope", supervisor_queue="support", supervisor=BOSS))
    assert [(a.action, a.ok) for a in floor.acted()] == [("listen", False), ("stop", False), ("takeover", False)]
    assert "no live call" in floor.acted()[0].detail and floor.acted()[1].detail == "not supervising this call"
    assert floor.ari.requests == []


async def test_every_command_has_a_handler() -> None:
    floor = Floor()
    kinds = get_args(get_args(Command)[0])
    assert set(kinds) == set(floor.engine._command_handlers)


# ------------------------------------------------------------------ takeovers


async def test_a_takeover_to_a_phone_ends_the_supervisors_leg_first_and_voicewatch_no_longer_acts() -> None:
    floor = Floor()
    leg, _ = await floor.answered("listen")
    await floor.command(SupervisorTakeover(call_id=CALL, supervisor_phone=PHONE, supervisor=BOSS))
    await floor.engine.escalate(floor.call, "support", "anger", 0.9, "VoiceWatch, too late")
    continues = [(p, q) for m, p, q in floor.ari.requests if m == "POST" and p.endswith("/continue")]
    assert continues == [(f"channels/{CUSTOMER}/continue", {"context": "cc-supervisor-phone", "extension": "s",
                                                             "priority": 1})]  # fmt: skip
    order = [p for _, p, _ in floor.ari.requests]
    assert order.index(f"channels/{leg}") < order.index(f"channels/{CUSTOMER}/continue")
    assert floor.ari.variables_set(CUSTOMER)["CC_SUPERVISOR_PHONE"] == PHONE
    [escalated] = [e for e in floor.events if isinstance(e, CallEscalated)]
    assert escalated.reason == "supervisor_takeover" and escalated.queue == "support"  # where it falls back to
    assert [(a.action, a.ok) for a in floor.acted()] == [("listen", True), ("stop", True), ("takeover", True)]


async def test_a_takeover_wins_over_a_voicewatch_escalation_already_under_way() -> None:
    ari = GatedAri()
    ari.gate_prefix = f"channels/{CUSTOMER}/variable"
    floor = Floor(ari=ari)
    voicewatch = asyncio.create_task(floor.engine.escalate(floor.call, "support", "anger", 0.9, "VoiceWatch"))
    await floor.posted(f"channels/{CUSTOMER}/variable")  # its variables on their way to Asterisk
    takeover = asyncio.create_task(floor.command(SupervisorTakeover(call_id=CALL, supervisor_queue="bosses",
                                                                    supervisor=BOSS)))  # fmt: skip
    await asyncio.sleep(0)
    ari.opened.set()
    await asyncio.gather(voicewatch, takeover)
    continues = [q["extension"] for m, p, q in ari.requests if m == "POST" and p.endswith("/continue")]
    assert continues == ["bosses"]
    assert [(e.queue, e.reason) for e in floor.events if isinstance(e, CallEscalated)] == [("bosses", "supervisor_takeover")]
    assert floor.acted()[-1].ok and floor.call.state is CallState.ESCALATING


async def test_a_takeover_after_the_caller_left_for_a_queue_is_refused() -> None:
    floor = Floor()
    await floor.engine.escalate(floor.call, "support", "anger", 0.9, "VoiceWatch first")
    await floor.command(SupervisorTakeover(call_id=CALL, supervisor_queue="bosses", supervisor=BOSS))
    [refused] = floor.acted()
    assert not refused.ok and "no longer with the bot" in refused.detail
    assert [q["extension"] for m, p, q in floor.ari.requests if p.endswith("/continue")] == ["support"]


async def test_a_call_back_with_the_bot_after_the_takeover_queue_timed_out_can_escalate_again() -> None:
    floor = Floor()
    await floor.command(SupervisorTakeover(call_id=CALL, supervisor_queue="bosses", supervisor=BOSS))
    await floor.event("StasisStart", CUSTOMER, args=["queue-returned", "bosses", "TIMEOUT"])
    assert floor.call.state is CallState.WITH_BOT and not floor.call.taken_over_by
    await floor.engine.escalate(floor.call, "support", "anger", 0.9, "VoiceWatch")
    assert [q["extension"] for m, p, q in floor.ari.requests if p.endswith("/continue")] == ["bosses", "support"]


# ------------------------------------------------------------------ the agent on the call, from AMI


def ami_event(name: str, **fields: str) -> AmiEvent:
    return AmiEvent(name, {"Uniqueid": CUSTOMER, "Linkedid": CUSTOMER, "Queue": "support", **fields}, {})


async def test_the_agents_channel_is_kept_and_a_taken_over_phone_answering_connects_the_call() -> None:
    floor = Floor()
    await floor.command(SupervisorTakeover(call_id=CALL, supervisor_phone=PHONE, supervisor=BOSS))
    await floor.engine.on_ami_event(ami_event("DialEnd", DestChannel=f"PJSIP/{PHONE}-00000007", DialStatus="ANSWER",
                                              DestUniqueid="phone-chan"))  # fmt: skip
    [connected] = [e for e in floor.events if isinstance(e, AgentConnected)]
    assert connected.agent == PHONE and floor.call.state is CallState.WITH_AGENT
    assert floor.call.transfer.agent_channel == "phone-chan"

    other = Floor()
    await other.engine.escalate(other.call, "support", "anger", 0.9, "VoiceWatch")
    await other.engine.on_ami_event(ami_event("AgentConnect", MemberName="agent1", DestUniqueid="agent-chan"))
    assert (other.call.transfer.agent, other.call.transfer.agent_channel) == ("agent1", "agent-chan")


# ------------------------------------------------------------------ agents paused or logged out


async def test_a_forced_pause_and_log_out_pause_the_agent_everywhere_with_who_did_it() -> None:
    ami = FakeAmi({"support": ("agent1",), "sales": ("agent1",)})
    floor = Floor(ami=ami)
    await floor.command(ForceAgentState(agent="agent1", action="pause_agent", reason="coaching", supervisor=BOSS))
    assert ami.actions[-1] == {"Action": "QueuePause", "Interface": "PJSIP/agent1", "Paused": "true",
                               "Reason": "coaching"}  # fmt: skip
    assert ami.pauses("agent1") == {"coaching"}
    await floor.command(ForceAgentState(agent="agent1", action="log_out_agent", supervisor=BOSS))
    assert ami.pauses("agent1") == {"logged out by boss"}
    await floor.command(ForceAgentState(agent="ghost", action="pause_agent", supervisor=BOSS))
    assert [(a.action, a.agent, a.ok) for a in floor.acted()] == [
        ("pause_agent", "agent1", True), ("log_out_agent", "agent1", True), ("pause_agent", "ghost", False)]
    assert "Interface not found" in floor.acted()[-1].detail


async def test_a_reserved_agent_paused_by_a_supervisor_stays_paused_and_is_no_longer_held() -> None:
    ami = FakeAmi({"support": ("agent1",)})
    floor = Floor(ami=ami)
    floor.call.at_risk = True
    await floor.command(ReserveAgent(call_id=CALL, agent="agent1", queue="support"))
    assert floor.engine.reservations.held == {"agent1": CALL}
    await floor.command(ForceAgentState(agent="agent1", action="pause_agent", reason="lunch", supervisor=BOSS))
    assert floor.engine.reservations.held == {} and floor.call.reservation is None
    assert ami.pauses("agent1") == {"lunch"}


@pytest.mark.parametrize(("action", "reason", "expected"), [
    ("pause_agent", "lunch", "lunch"),
    ("pause_agent", "", "paused by boss"),
    ("pause_agent", "reserved", "paused"),  # pbx's own hold's word: release_stale would undo it
    ("pause_agent", "coach\r\nAction: Originate", "coach Action Originate"),  # one AMI header line
    ("log_out_agent", "ignored", "logged out by boss"),
])  # fmt: skip
def test_the_pause_reason_asterisk_keeps(action, reason, expected) -> None:
    assert pause_reason(ForceAgentState(agent="a", action=action, reason=reason, supervisor=BOSS)) == expected


# ------------------------------------------------------------------ after a reconnect


async def test_reconcile_hangs_up_supervisors_channels_it_does_not_own_and_keeps_its_own() -> None:
    floor = Floor()
    leg, snoop = await floor.answered("listen")
    floor.ari.app_channels = [leg, snoop, "supervisor-old", "snoop-old"]
    floor.ari.channels = {c: {"id": c, "name": "PJSIP/sup1-1" if "supervisor" in c else "Snoop/x-1", "state": "Up"}
                          for c in floor.ari.app_channels}  # fmt: skip
    assert await floor.engine.reconcile() == []  # nothing taken for a caller
    assert {"channels/supervisor-old", "channels/snoop-old"} <= set(floor.deleted())
    assert f"channels/{leg}" not in floor.deleted() and f"channels/{snoop}" not in floor.deleted()


async def test_a_stray_supervisors_channel_entering_the_app_is_hung_up_not_queued() -> None:
    floor = Floor()
    await floor.event("StasisStart", "snoop-stray", args=["supervisor-snoop"])
    assert floor.deleted() == ["channels/snoop-stray"]
    assert not [p for p in floor.ari.paths("POST") if p.endswith("/continue")]
