"""The call engine on a real Asterisk: originate, ExternalMedia both ways, escalation to a
queue answered by a simulated agent (sipp) that receives the reason in its INVITE.

The conversation here is scripted (a tone as the bot's prompt, energy as the customer's
speech) so this test is about the engine's telephony, not speech recognition.
"""

from __future__ import annotations

import asyncio
import uuid
import wave
from pathlib import Path

import aiohttp
import numpy as np
import pytest

from ops.simulator.scripted_bot import QuietConversation
from ops.simulator.sip_agent import SippAgent
from ops.stack.asterisk import AsteriskInstance
from pbx.ami import AmiLink
from pbx.ami_listener import AmiQueueListener
from pbx.api import AgentConnected, CallEnded, CallEscalated, CallQueued, Event, OriginateCall, ReturnedToBot
from pbx.ari.client import HttpAriRest
from pbx.calls.engine import CallEngine
from pbx.calls.protocols import CallIO
from pbx.media.codec import SLIN16
from tests.realstack.harness import ari_app, wait_for_event

pytestmark = pytest.mark.realstack


class ScriptedConversation(QuietConversation):
    """Plays a 1 s tone, then escalates once it has heard ~0.6 s of the customer's voice."""

    def __init__(self) -> None:
        self.io: CallIO | None = None
        self.voiced_frames = 0
        self.frames = 0
        self.escalated = asyncio.Event()

    async def start(self, io: CallIO) -> None:
        self.io = io
        t = np.arange(16000) / 16000
        await io.play((np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16))

    def on_audio(self, samples: np.ndarray) -> None:
        self.frames += 1
        if np.sqrt(np.mean(samples.astype(np.float64) ** 2)) > 300:
            self.voiced_frames += 1
        if self.voiced_frames == 30 and self.io is not None and not self.escalated.is_set():
            self.escalated.set()
            asyncio.get_running_loop().create_task(
                self.io.escalate("support", "anger", 0.91, "Customer is upset about a late order.")
            )

    outcome = ("confirmed", "")


def _rms_of_wav(path: Path) -> float:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
    return float(np.sqrt(np.mean(data**2))) if len(data) else 0.0


_wait_for = wait_for_event


def test_escalated_call_reaches_an_agent_with_its_reason(
    asterisk_server: AsteriskInstance, sim_agent_port: int, tmp_path: Path
) -> None:
    s = asterisk_server.settings
    agent = SippAgent("agent1", sim_agent_port, tmp_path / "agent")
    agent.start()
    recording = f"{s.instance_dir}/spool/sim-{uuid.uuid4().hex[:8]}"
    heard = asterisk_server.root / f"{recording.lstrip('/')}-heard.wav"
    conversation = ScriptedConversation()
    events: list[Event] = []

    async def publish(event: Event) -> None:
        events.append(event)

    async def _escalate_to_agent(engine: CallEngine, rest: HttpAriRest) -> None:
        ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
        listener = asyncio.create_task(AmiQueueListener(ami).run([engine.on_ami_event]))
        await ami.start()
        try:
            command = OriginateCall(
                endpoint="Local/customer@cc-sim", flow="scripted",
                variables={"__CC_SIM_RECORDING": recording, "__CC_SIM_SAY": "demo-congrats", "__CC_SIM_DELAY": "1.5"},
            )  # fmt: skip
            await engine.originate(command)
            escalated = await _wait_for(events, lambda e: isinstance(e, CallEscalated), 25)
            assert escalated.reason == "anger" and escalated.queue == "support"
            try:
                connect = await _wait_for(events, lambda e: isinstance(e, AgentConnected), 20)
            except TimeoutError:
                raise AssertionError(f"no agent answered: {asterisk_server.cli('queue show support')}; "
                                     f"agent: {agent.process.log_tail(3)} {(agent.work_dir / 'agent1-errors.log').read_text()[-1500:]}") from None
            assert connect.agent == "agent1"
            joined = next(e for e in events if isinstance(e, CallQueued))
            assert joined.wait_s is not None and joined.wait_s < 2.0
            # The customer hangs up; the call ends as escalated.
            await rest.delete(f"channels/{command.call_id}")
            ended = await _wait_for(events, lambda e: isinstance(e, CallEnded), 10)
            assert ended.outcome == "escalated" and ended.detail == "anger"
        finally:
            ami.close()
            listener.cancel()


    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, asterisk_server.ari_url, s.ari_user, s.ari_password)
            engine = CallEngine(rest, publish, s.ari_app, lambda call: conversation, SLIN16)
            async with ari_app(session, asterisk_server, s.ari_app, engine.on_event):
                await _escalate_to_agent(engine, rest)

    try:
        asyncio.run(go())
        assert agent.answered() == [("anger", events[0].call_id)]
        assert conversation.voiced_frames >= 30, "the customer's speech never reached the gateway"
    finally:
        agent.stop()
    # What the customer side heard while the bot talked: the tone, not silence.
    assert heard.exists()
    assert _rms_of_wav(heard) > 200


class EscalatesToAnEmptyQueue(ScriptedConversation):
    """Escalates at once to `sales` (nobody answers there); then ends the call as a callback."""

    def __init__(self) -> None:
        super().__init__()
        self.returned: tuple[str, str] | None = None

    async def start(self, io: CallIO) -> None:
        self.io = io
        await io.escalate("sales", "human_request", 0.8, "Asked for a person.")

    async def on_queue_timeout(self, queue: str, status: str) -> None:
        self.returned = (queue, status)
        assert self.io is not None
        t = np.arange(8000) / 16000
        await self.io.play((np.sin(2 * np.pi * 300 * t) * 6000).astype(np.int16))
        await self.io.hangup("callback")

    @property
    def outcome(self) -> tuple[str, str]:
        return ("callback", "no agent") if self.returned else ("", "")


def test_unanswered_escalation_returns_to_the_bot(asterisk_server: AsteriskInstance) -> None:
    """Nobody answers within the queue's maximum wait: the caller is back with the bot."""
    s = asterisk_server.settings
    conversation = EscalatesToAnEmptyQueue()
    events: list[Event] = []

    async def publish(event: Event) -> None:
        events.append(event)

    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, asterisk_server.ari_url, s.ari_user, s.ari_password)
            engine = CallEngine(rest, publish, s.ari_app, lambda call: conversation, SLIN16)
            async with ari_app(session, asterisk_server, s.ari_app, engine.on_event):
                await engine.originate(OriginateCall(endpoint="Local/customer@cc-sim", flow="scripted",
                                                     escalation_queue="sales"))  # fmt: skip
                ended = await _wait_for(events, lambda e: isinstance(e, CallEnded), 30)
                assert ended.outcome == "callback"

    asyncio.run(go())
    assert conversation.returned == ("sales", "TIMEOUT")
    returned = [e for e in events if isinstance(e, ReturnedToBot)]
    assert len(returned) == 1 and returned[0].transfer_id
