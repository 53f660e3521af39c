"""Pre-alert reservations in the engine, against a scripted ARI and AMI: the agent is paused as
``reserved`` while the call is at risk, rung first when it escalates, and always unpaused."""

from __future__ import annotations

import asyncio

from pbx.ami import AmiError
from pbx.ami_listener import AmiEvent
from pbx.api import (
    AgentConnected,
    AgentReserved,
    AgentStateChanged,
    CallAtRisk,
    CallEnded,
    Event,
    OriginateCall,
    ReservationEnded,
    ReserveAgent,
)
from pbx.ari.events import AriEvent
from pbx.calls.engine import CallEngine
from pbx.calls.live import CallState, LiveCall
from pbx.calls.queue_tracking import other_queue_activity
from pbx.media.codec import ULAW
from tests.pbx.fakes import FakeAri


class FakeAmi:
    """Queue members and their pauses, changed and read as Asterisk's QueuePause and QueueStatus do."""

    def __init__(self, members: dict[str, tuple[str, ...]]) -> None:
        """``members``: queue -> agent names."""
        self.paused: dict[tuple[str, str], str | None] = {(q, a): None for q, agents in members.items() for a in agents}
        self.actions: list[dict[str, str]] = []

    async def action(self, fields: dict[str, str]) -> list[dict[str, str]]:
        self.actions.append(fields)
        agent = fields.get("Interface", fields.get("Member", "")).removeprefix("PJSIP/")
        if fields["Action"] == "QueueStatus":
            return [{"Response": "Success"}] + [
                {"Event": "QueueMember", "Queue": q, "Name": a, "Location": f"PJSIP/{a}",
                 "Paused": "1" if reason is not None else "0", "PausedReason": reason or ""}
                for (q, a), reason in self.paused.items() if not agent or a == agent
            ] + [{"Event": "QueueStatusComplete"}]  # fmt: skip
        assert fields["Action"] == "QueuePause"
        keys = [(q, a) for q, a in self.paused if a == agent and fields.get("Queue", q) == q]
        if not keys:
            raise AmiError(f"QueuePause: Interface not found ({agent})")
        for key in keys:
            self.paused[key] = fields.get("Reason", "") if fields["Paused"] == "true" else None
        return [{"Response": "Success"}]

    def pauses(self, agent: str) -> set[str | None]:
        return {reason for (_, a), reason in self.paused.items() if a == agent}


class Bot:
    """A conversation that only keeps its call's I/O, for the test to publish through."""

    io = None
    outcome = ("", "")

    async def start(self, io) -> None:
        self.io = io

    def on_audio(self, samples) -> None: ...

    def on_dtmf(self, digit: str) -> None: ...

    async def on_queue_timeout(self, queue: str, status: str) -> None: ...

    async def close(self) -> None: ...


def ari_event(kind: str, channel_id: str, **raw) -> AriEvent:
    return AriEvent.from_json({"type": kind, "application": "cc", "timestamp": "t", "channel": {"id": channel_id}, **raw})


def ami_event(name: str, channel_id: str, **fields: str) -> AmiEvent:
    return AmiEvent(name, {"Uniqueid": channel_id, "Channel": "PJSIP/trunk-0001", **fields}, {"CC_CALL_ID": channel_id})


class Site:
    def __init__(self, members: dict[str, tuple[str, ...]] | None = None) -> None:
        self.ari, self.events, self.bot = FakeAri(), [], Bot()
        self.ami = FakeAmi(members or {"support": ("agent1", "agent2"), "sales": ("agent1",)})

        async def publish(event: Event) -> None:
            self.events.append(event)

        self.engine = CallEngine(self.ari, publish, "cc", lambda call: self.bot, ULAW, ami=self.ami.action)

    async def call_with_the_bot(self) -> LiveCall:
        command = OriginateCall(endpoint="PJSIP/x@trunk", flow="f", escalation_queue="support")
        await self.engine.originate(command)
        await self.engine.on_event(ari_event("StasisStart", command.call_id, args=["outbound"]))
        _, media = await self.ari.request_made("POST", "channels/externalMedia")
        await self.engine.on_event(ari_event("StasisStart", media["channelId"]))
        async with asyncio.timeout(5):
            while self.bot.io is None:
                await asyncio.sleep(0.01)
        return self.engine.calls[command.call_id]

    async def at_risk(self, call: LiveCall, active: bool = True) -> None:
        await self.bot.io.publish(CallAtRisk(call_id=call.call_id, active=active, score=0.5, reason="anger",
                                             queue="support"))  # fmt: skip

    async def reserved(self, agent: str = "agent1", **options) -> LiveCall:
        call = await self.call_with_the_bot()
        await self.at_risk(call)
        await self.engine.handle_command(ReserveAgent(call_id=call.call_id, agent=agent, queue="support", **options))
        return call

    def of(self, kind: type[Event]) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def states(self, agent: str = "agent1") -> list[str]:
        return [e.state for e in self.of(AgentStateChanged) if e.agent == agent]

    def variables(self) -> dict[str, str]:
        return {name: value for channel in {path.split("/")[1] for _, path, _ in self.ari.requests if path.endswith("/variable")}
                for name, value in self.ari.variables_set(channel).items()}  # fmt: skip


async def test_an_agent_reserved_for_a_call_at_risk_is_paused_as_reserved_in_all_their_queues() -> None:
    site = Site()
    call = await site.reserved()
    assert site.ami.pauses("agent1") == {"reserved"} and site.ami.pauses("agent2") == {None}
    [held] = site.of(AgentReserved)
    assert (held.call_id, held.agent, held.queue) == (call.call_id, "agent1", "support") and held.until > 0
    assert site.states() == ["reserved"]
    assert site.engine.live_counts()["ai_calls_at_risk"] == 1
    assert site.engine.reservations.held == {"agent1": call.call_id}


async def test_no_agent_is_held_for_a_call_not_at_risk_or_an_agent_held_for_another() -> None:
    site = Site()
    calm = await site.call_with_the_bot()
    await site.engine.handle_command(ReserveAgent(call_id=calm.call_id, agent="agent1", queue="support"))
    await site.engine.handle_command(ReserveAgent(call_id="gone", agent="agent1", queue="support"))
    first = await site.reserved("agent1")
    await site.engine.handle_command(ReserveAgent(call_id=calm.call_id, agent="agent1", queue="support"))
    await site.at_risk(calm)
    await site.engine.handle_command(ReserveAgent(call_id=calm.call_id, agent="agent1", queue="support"))
    assert [(e.call_id, e.why) for e in site.of(ReservationEnded)] == [
        (calm.call_id, "unavailable"), ("gone", "unavailable"), (calm.call_id, "unavailable"),
        (calm.call_id, "unavailable")]
    assert site.engine.reservations.held == {"agent1": first.call_id}


async def test_an_agent_asterisk_does_not_know_is_unavailable() -> None:
    site = Site()
    call = await site.reserved("agent9")
    assert [e.why for e in site.of(ReservationEnded)] == ["unavailable"] and call.reservation is None
    assert site.engine.reservations.held == {} and site.of(AgentReserved) == []


async def test_risk_falling_back_ends_the_hold_and_the_agent_takes_calls_again() -> None:
    site = Site()
    call = await site.reserved()
    await site.at_risk(call, active=False)
    assert site.ami.pauses("agent1") == {None}
    assert [e.why for e in site.of(ReservationEnded)] == ["risk_fell"] and site.states() == ["reserved", "available"]
    assert site.engine.live_counts()["ai_calls_at_risk"] == 0


async def test_a_person_pausing_meanwhile_stays_paused() -> None:
    site = Site()
    call = await site.reserved()
    site.ami.paused[("sales", "agent1")] = "lunch"  # the agent paused themselves in one queue
    await site.at_risk(call, active=False)
    assert site.ami.paused[("support", "agent1")] is None and site.ami.paused[("sales", "agent1")] == "lunch"


async def test_the_hold_times_out() -> None:
    site = Site()
    call = await site.call_with_the_bot()
    await site.at_risk(call)
    # Shorter than the contract allows (5 s), so the test does not wait.
    await site.engine.handle_command(ReserveAgent.model_construct(call_id=call.call_id, agent="agent1", queue="support",
                                                                  auto_answer=False, hold_s=0.05))  # fmt: skip
    async with asyncio.timeout(2):
        while not site.of(ReservationEnded):
            await asyncio.sleep(0.01)
    assert site.of(ReservationEnded)[0].why == "timeout" and site.ami.pauses("agent1") == {None}


async def test_the_call_ending_with_the_bot_ends_the_hold() -> None:
    site = Site()
    call = await site.reserved()
    await site.engine.on_event(ari_event("StasisEnd", call.channel_id))
    assert isinstance(site.of(CallEnded)[0], CallEnded)
    assert [e.why for e in site.of(ReservationEnded)] == ["call_ended"] and site.ami.pauses("agent1") == {None}


async def test_on_escalation_the_reserved_agent_is_rung_first_and_their_answer_connects_the_call() -> None:
    site = Site()
    call = await site.reserved(auto_answer=True)
    await site.engine.escalate(call, "support", "anger", 0.8, "Angry about a late order.")
    assert site.variables()["CC_RESERVED_AGENT"] == "agent1" and site.variables()["CC_AUTO_ANSWER"] == "1"
    assert site.ami.pauses("agent1") == {"reserved"}  # still held while their phone rings

    await site.engine.on_ami_event(ami_event("DialBegin", call.channel_id, DestChannel="PJSIP/agent1-00000007"))
    await site.engine.on_ami_event(ami_event("DialEnd", call.channel_id, DestChannel="PJSIP/agent1-00000007",
                                             DialStatus="ANSWER"))  # fmt: skip
    [connected] = site.of(AgentConnected)
    assert (connected.agent, connected.queue, connected.reason) == ("agent1", "support", "anger")
    assert connected.transfer_id == call.transfer.transfer_id and call.state is CallState.WITH_AGENT
    assert [e.why for e in site.of(ReservationEnded)] == ["escalated"] and site.ami.pauses("agent1") == {None}
    assert site.states() == ["reserved", "ringing", "on_call"]  # on the call: not "available"

    await site.engine.on_ami_event(ami_event("Hangup", call.channel_id, Cause="16"))
    assert site.of(CallEnded)[0].outcome == "escalated" and site.states()[-1] == "available"


async def test_the_reserved_agent_is_free_again_when_ari_ends_their_call_before_ami_does() -> None:
    site = Site()
    call = await site.reserved(auto_answer=True)
    await site.engine.escalate(call, "support", "anger", 0.8, "Angry about a late order.")
    await site.engine.on_ami_event(ami_event("DialEnd", call.channel_id, DestChannel="PJSIP/agent1-00000007",
                                             DialStatus="ANSWER"))  # fmt: skip
    # The caller's ChannelDestroyed reaches pbx before AMI's Hangup: the call is over either way.
    await site.engine.on_event(ari_event("ChannelDestroyed", call.channel_id, cause=16))
    await site.engine.on_ami_event(ami_event("Hangup", call.channel_id, Cause="16"))
    assert [e.outcome for e in site.of(CallEnded)] == ["escalated"]
    assert site.states() == ["reserved", "on_call", "available"]


async def test_a_reserved_agent_who_does_not_answer_goes_back_to_the_queue_with_the_others() -> None:
    site = Site()
    call = await site.reserved()
    await site.engine.escalate(call, "support", "anger", 0.8, "")
    assert site.variables()["CC_AUTO_ANSWER"] == ""
    await site.engine.on_ami_event(ami_event("DialEnd", call.channel_id, DestChannel="PJSIP/agent1-00000007",
                                             DialStatus="NOANSWER"))  # fmt: skip
    assert site.of(ReservationEnded) == []
    await site.engine.on_ami_event(ami_event("QueueCallerJoin", call.channel_id, Queue="support"))
    assert [e.why for e in site.of(ReservationEnded)] == ["escalated"] and site.states()[-1] == "available"
    assert site.ami.pauses("agent1") == {None} and site.of(AgentConnected) == []


async def test_escalating_to_another_queue_releases_the_agent_and_rings_nobody_first() -> None:
    site = Site()
    call = await site.reserved()
    await site.engine.escalate(call, "legal", "legal_threat", 0.9, "")
    assert site.variables()["CC_RESERVED_AGENT"] == ""
    assert [e.why for e in site.of(ReservationEnded)] == ["escalated"] and site.ami.pauses("agent1") == {None}


async def test_stopping_releases_every_agent_and_starting_releases_the_ones_nobody_holds() -> None:
    site = Site()
    await site.reserved("agent1")
    site.ami.paused[("support", "agent2")] = "reserved"  # left by a pbx that died
    site.ami.paused[("sales", "agent1")] = "lunch"
    assert await site.engine.reservations.release_stale() == ["agent2"]
    assert site.ami.paused[("support", "agent1")] == "reserved"  # held by this pbx: kept
    await site.engine.reservations.release_all()
    assert site.ami.paused == {("support", "agent1"): None, ("support", "agent2"): None, ("sales", "agent1"): "lunch"}
    assert site.engine.reservations.held == {}


def test_a_reserved_pause_is_the_agent_reserved_not_paused() -> None:
    def pause(reason: str, paused: str = "1") -> AmiEvent:
        return AmiEvent("QueueMemberPause", {"Queue": "support", "MemberName": "agent1", "Paused": paused,
                                             "PausedReason": reason}, {})  # fmt: skip

    [reserved] = other_queue_activity(pause("reserved"))
    assert (reserved.agent, reserved.state, reserved.queue) == ("agent1", "reserved", "support")
    assert other_queue_activity(pause("lunch")) == [] and other_queue_activity(pause("", "0")) == []
