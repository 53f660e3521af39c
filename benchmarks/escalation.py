"""Decision → queue join, and decision → agent answer, without and with pre-alert, on a real Asterisk.

    python -m benchmarks escalation --json [--calls 20] [--talk-s 1.5] [--at-risk-lead-s 2]

One run starts its own Asterisk (from the shared chroot, on free ports) with one queue whose
agent is a sipp softphone answering after a fixed ring (``ops/simulator/agent_uas.xml``: 300 ms;
at once when the INVITE says ``answer-after=0``). pbx's call engine runs in this process, as the
real-stack tests run it. One call at a time, ``--calls`` times a phase: a simulated customer
(``Local/customer@cc-sim``) answers, the bot's media leg comes up and the bot talks (a tone);
``--talk-s`` later, mid-sentence, the bot decides to hand over and does what
``BotConversation._hand_over`` does (stop its playback, ``io.escalate`` with the decision's
time). The customer hangs up once the agent is connected.

Two phases on the same stack: without pre-alert, then with it. With pre-alert the bot publishes
``call.at_risk`` (as its ``RiskWatch`` would) ``--at-risk-lead-s`` before deciding; Django's own
reservation code, in this process (``benchmarks.escalation_prealert``), reserves the agent and
sends ``reserve_agent``; pbx pauses them as ``reserved`` and, on the decision, the dialplan
Dials them first with auto-answer; they hear a tone (they followed the call), not the summary.

- ``p50_s``/``p95_s``: the decision → AMI ``QueueCallerJoin`` (Asterisk's event timestamp), without pre-alert.
- ``decision_to_agent_answer_p50_s``: the decision → the caller bridged to the agent (AMI
  ``BridgeEnter``, after the summary or tone the agent hears on answering): when the caller can
  speak to a person. The same measure in both phases.
- ``decision_to_pickup_p50_s``: the decision → the agent's phone answering (AMI ``Newstate`` Up
  of the agent's leg, Queue's or the reserved Dial's), in both phases: the part before the whisper.
- ``whisper``: what the answering agents heard (``summary``/``tone``, from the dialplan's UserEvent).
- ``prealert``: the second phase: ``decision_to_agent_answer_p50_s``, ``decision_to_pickup_p50_s``,
  ``reserved_share`` (of its escalations, the share answered by the agent reserved for them);
  ``null`` with ``--no-prealert``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

from asterisk_config.music import BRIDGING_PROMPT, Opening
from asterisk_config.render import AsteriskSettings
from benchmarks.escalation_prealert import ManagementSide
from contactcenter.site.config import StackConfig
from ops.simulator.scripted_bot import QuietConversation
from ops.simulator.sip_agent import SippAgent
from ops.stack.asterisk import AsteriskInstance
from ops.stack.processes import free_port
from pbx.ami import AmiLink
from pbx.ami_listener import QUEUE_EVENTS, AmiEvent, AmiQueueListener
from pbx.api import (
    AgentPhone,
    CallAtRisk,
    CallEnded,
    EscalationReason,
    Event,
    OriginateCall,
    QueueMember,
    QueueSpec,
    Telephony,
    md5_cred,
)
from pbx.ari.client import HttpAriRest
from pbx.ari.connection import AriEventStream
from pbx.backoff import Backoff
from pbx.bot.phrases import BRIDGING_PHRASE
from pbx.calls.engine import CallEngine
from pbx.calls.protocols import CallIO, PromptFileMaker
from pbx.media.codec import SLIN16

APP = "ccbench-esc"
QUEUE = "support"
SUMMARY = "Angry caller. Rahul, order A1001."


# ------------------------------------------------------------------ the bot's side, scripted


class EscalatesMidSentence(QuietConversation):
    """A ``Conversation`` that talks (a tone) and hands over ``talk_s`` into it, as the bot does
    on VoiceWatch's decision: playback stopped, ``escalate`` with the decision's time."""

    outcome: tuple[str, str] = ("escalated", "anger")

    def __init__(self, talk_s: float, queue: str = QUEUE, at_risk_lead_s: float | None = None,
                 opening: Opening = Opening.BRIDGE) -> None:  # fmt: skip
        """``at_risk_lead_s``: pre-alert on; the call is said to be at risk (``call.at_risk``, as
        the bot's ``RiskWatch`` publishes it) this long before the decision."""
        self.talk_s = talk_s
        self.queue = queue
        self.at_risk_lead_s = at_risk_lead_s
        self.opening = opening
        self.decided_at: float | None = None
        self._task: asyncio.Task | None = None

    async def start(self, io: CallIO) -> None:
        t = np.arange(int(io.sample_rate * (self.talk_s + (self.at_risk_lead_s or 0) + 5))) / io.sample_rate
        sentence = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
        self._task = asyncio.get_running_loop().create_task(self._decide_later(io))
        await io.play(sentence)

    async def _decide_later(self, io: CallIO) -> None:
        await asyncio.sleep(self.talk_s)
        if self.at_risk_lead_s is not None:
            await io.publish(CallAtRisk(call_id=io.call_id, score=0.5, reason=EscalationReason("anger"),
                                        queue=self.queue, explanation="anger 0.50 (pre-alert at 0.35)"))  # fmt: skip
            await asyncio.sleep(self.at_risk_lead_s)
        self.decided_at = time.time()
        io.stop_playback()
        await io.escalate(self.queue, "anger", 0.9, SUMMARY, self.decided_at, self.opening)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()


# ------------------------------------------------------------------ one escalation, timed


@dataclass
class EscalationTiming:
    call_id: str
    channel_id: str = ""
    decided_at: float | None = None
    joined_at: float | None = None  # AMI QueueCallerJoin, Asterisk's timestamp
    connected_at: float | None = None  # AMI AgentConnect (a queue member; a reserved agent's Dial has none)
    picked_up_at: float | None = None  # AMI Newstate Up of the agent's leg: their phone answered (200 OK)
    answered_by: str = ""  # the agent whose phone answered
    bridge_enters: list[float] = field(default_factory=list)  # AMI BridgeEnter of the call's channels
    whisper: str = ""  # what the agent heard on answering: "summary" or "tone"
    reserved_agent: str = ""  # pre-alert: the agent pbx held for the call (agent.reserved)
    ami: list[str] = field(default_factory=list)

    @property
    def to_queue_s(self) -> float | None:
        return None if self.joined_at is None or self.decided_at is None else self.joined_at - self.decided_at

    @property
    def bridged_at(self) -> float | None:
        """The caller bridged to the agent: the first bridge the call enters after the decision
        (before it, the caller was in the bot's Stasis bridge; after it, only the agent's)."""
        if self.decided_at is None:
            return None
        return next((at for at in sorted(self.bridge_enters) if at > self.decided_at), None)

    @property
    def to_agent_s(self) -> float | None:
        bridged = self.bridged_at
        return None if bridged is None or self.decided_at is None else bridged - self.decided_at

    @property
    def to_pickup_s(self) -> float | None:
        picked_up, decided = self.picked_up_at, self.decided_at
        return None if picked_up is None or decided is None else picked_up - decided


class AmiWatch:
    """The queue and dial events, bridges and the agent hook's UserEvents of the calls being timed."""

    EVENTS = (*QUEUE_EVENTS, "UserEvent", "BridgeEnter", "Newstate")

    def __init__(self) -> None:
        self.by_channel: dict[str, EscalationTiming] = {}

    async def on_event(self, event: AmiEvent) -> None:
        timing = self.by_channel.get(event.unique_id) or self.by_channel.get(event.linked_id)
        if timing is None:
            return
        at = event.asterisk_ts or time.time()
        timing.ami.append(event.name)
        if event.name == "QueueCallerJoin" and timing.joined_at is None:
            timing.joined_at = at
        elif event.name == "AgentConnect" and timing.connected_at is None:
            timing.connected_at = at
        elif event.name == "BridgeEnter":
            timing.bridge_enters.append(at)
        elif event.name == "Newstate" and event.fields.get("ChannelState") == "6" and timing.picked_up_at is None:
            # The agent's leg (PJSIP/agent1-0000002a, linked to the caller) is up: their phone's 200 OK.
            if event.channel.startswith("PJSIP/"):
                timing.picked_up_at = at
                timing.answered_by = event.channel.removeprefix("PJSIP/").rsplit("-", 1)[0]
        elif event.name == "UserEvent" and event.fields.get("UserEvent") == "CcWhisper":
            timing.whisper = event.fields.get("Played", "")


async def escalate_calls(asterisk: AsteriskInstance, calls: int, talk_s: float,
                         prompt_files: PromptFileMaker | None, timeout_s: float = 30.0,
                         queue: str = QUEUE, customer_variables: dict[str, str] | None = None,
                         on_call: Callable[[EscalationTiming], Awaitable[None]] | None = None,
                         management: ManagementSide | None = None, at_risk_lead_s: float | None = None,
                         opening: Opening = Opening.BRIDGE) -> list[EscalationTiming]:  # fmt: skip
    """``calls`` escalations one after the other; ``on_call`` runs once each agent is connected.

    Pre-alert on: ``management`` (Django's side) gets every event the engine publishes, and each
    call is said to be at risk ``at_risk_lead_s`` before its decision."""
    s = asterisk.settings
    events: list[Event] = []
    timings: list[EscalationTiming] = []
    watch = AmiWatch()

    async def publish(event: Event) -> None:
        events.append(event)
        if management is not None:
            await management.publish(event)

    async with aiohttp.ClientSession() as session:
        rest = HttpAriRest(session, asterisk.ari_url, s.ari_user, s.ari_password)
        conversations: dict[str, EscalatesMidSentence] = {}

        def conversation_for(call) -> EscalatesMidSentence:
            conversations[call.call_id] = EscalatesMidSentence(talk_s, queue, at_risk_lead_s, opening)
            return conversations[call.call_id]

        ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
        engine = CallEngine(rest, publish, s.ari_app, conversation_for, SLIN16, queue, prompt_files, ami=ami.action)
        if management is not None:
            management.attach(engine)
        listener = AmiQueueListener(ami, AmiWatch.EVENTS)
        listening = asyncio.create_task(listener.run([engine.on_ami_event, watch.on_event]))
        stream = AriEventStream(session, asterisk.ari_url, s.ari_user, s.ari_password, s.ari_app, Backoff(0.1, 1))
        connected = asyncio.Event()

        async def on_connect() -> None:
            connected.set()

        ari_events = asyncio.create_task(stream.run(engine.on_event, on_connect))
        await ami.start()
        try:
            await asyncio.wait_for(connected.wait(), 10)
            for _ in range(calls):
                command = OriginateCall(endpoint="Local/customer@cc-sim", flow="scripted", escalation_queue=queue,
                                        variables={"__CC_SIM_HOLD": "60", **(customer_variables or {})})  # fmt: skip
                timing = EscalationTiming(command.call_id)
                timings.append(timing)
                await engine.originate(command)
                timing.channel_id = engine.calls[command.call_id].channel_id
                watch.by_channel[timing.channel_id] = timing
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout_s):
                        while timing.bridged_at is None or not timing.whisper:
                            await asyncio.sleep(0.02)
                            conversation = conversations.get(command.call_id)
                            timing.decided_at = conversation.decided_at if conversation else None
                if management is not None:
                    timing.reserved_agent = management.reserved.get(command.call_id, "")
                if on_call is not None:
                    await on_call(timing)
                with contextlib.suppress(Exception):
                    await rest.delete(f"channels/{timing.channel_id}")
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(10):
                        while not any(isinstance(e, CallEnded) and e.call_id == command.call_id for e in events):
                            await asyncio.sleep(0.05)
                await asyncio.sleep(0.3)  # the agent's wrap-up: ready for the next call
        finally:
            await engine.reservations.release_all()
            ami.close()
            for task in (listening, ari_events):
                task.cancel()
    return timings


def summarise(timings: list[EscalationTiming]) -> dict[str, Any]:
    to_queue = sorted(t.to_queue_s for t in timings if t.to_queue_s is not None)
    to_agent = sorted(t.to_agent_s for t in timings if t.to_agent_s is not None)
    return {
        "n": len(to_queue),
        "p50_s": _round(statistics.median(to_queue)) if to_queue else None,
        "p95_s": _round(_percentile(to_queue, 0.95)) if to_queue else None,
        "max_s": _round(max(to_queue)) if to_queue else None,
        "decision_to_agent_answer_p50_s": _median(to_agent),
        "decision_to_pickup_p50_s": _median([t.to_pickup_s for t in timings if t.to_pickup_s is not None]),
        "answered": len(to_agent),
        "whisper": _whispers(timings),
    }


def summarise_prealert(timings: list[EscalationTiming]) -> dict[str, Any]:
    """The pre-alert phase (its calls are answered before any queue join: no decision → join).
    ``reserved_share``: of the escalations, the share the agent pbx held for them answered."""
    to_agent = [t.to_agent_s for t in timings if t.to_agent_s is not None]
    by_reserved = [t for t in timings if t.reserved_agent and t.answered_by == t.reserved_agent]
    return {
        "n": len(timings),
        "decision_to_agent_answer_p50_s": _median(to_agent),
        "decision_to_pickup_p50_s": _median([t.to_pickup_s for t in timings if t.to_pickup_s is not None]),
        "reserved_share": round(len(by_reserved) / len(timings), 3) if timings else None,
        "answered": len(to_agent),
        "whisper": _whispers(timings),
    }


def _median(values: list[float]) -> float | None:
    return _round(statistics.median(values)) if values else None


def _whispers(timings: list[EscalationTiming]) -> dict[str, int]:
    return {kind: sum(1 for t in timings if t.whisper == kind) for kind in ("summary", "tone")}


def _percentile(values: list[float], q: float) -> float:
    """Nearest rank: the value below which ``q`` of them lie (a measured value, not an interpolation)."""
    return values[min(len(values) - 1, max(0, int(np.ceil(q * len(values))) - 1))]


def _round(value: float) -> float:
    return round(value, 4)


# ------------------------------------------------------------------ the stack


def bench_asterisk(root: Path, work: Path, agent_port: int, ring_timeout_s: int = 15) -> AsteriskInstance:
    name = f"bench-esc-{uuid.uuid4().hex[:8]}"
    rtp_start = random.randrange(20000, 31000, 2)
    agent = AgentPhone(name="agent1", md5_cred=md5_cred("agent1", uuid.uuid4().hex),
                       static_contact=f"sip:agent1@127.0.0.1:{agent_port}")  # fmt: skip
    settings = AsteriskSettings(
        instance=name, instance_dir=f"/srv/contactcenter/{name}", http_port=free_port(), ami_port=free_port(),
        sip_port=free_port(udp=True), rtp_start=rtp_start, rtp_end=rtp_start + 399, web_port=free_port(),
        ari_app=APP, ari_user="bench", ari_password=uuid.uuid4().hex, ami_user="bench", ami_secret=uuid.uuid4().hex,
        telephony=Telephony(agents=(agent,), queues=(QueueSpec(name=QUEUE, members=(QueueMember(agent="agent1"),),
                                                             ring_timeout_s=ring_timeout_s, wrap_up_s=0),),
                            failsafe_queue=QUEUE),
    )  # fmt: skip
    return AsteriskInstance(root, settings, work / "asterisk.log", work / "asterisk.pid")


def prompt_files_for(asterisk: AsteriskInstance):
    """pbx's prompt folder of this instance, with flite's voice (fast), and the bridging phrase in it."""
    from pbx.bot.prompt_files import PromptFiles
    from workers.tts.flite_engine import FliteEngine
    from workers.tts.service import PromptSynthesizer

    s = asterisk.settings
    files = PromptFiles(PromptSynthesizer([FliteEngine()], cache=None),
                        asterisk.root / s.instance_dir.lstrip("/") / "spool" / "media",
                        f"{s.instance_dir}/spool/media")  # fmt: skip
    files.write(BRIDGING_PROMPT, BRIDGING_PHRASE)
    return files


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks escalation")
    parser.add_argument("--calls", type=int, default=20, help="escalations in each phase")
    parser.add_argument("--talk-s", type=float, default=1.5, help="the bot talks this long, then decides")
    parser.add_argument("--at-risk-lead-s", type=float, default=2.0,
                        help="with pre-alert: the call is at risk this long before the decision")
    parser.add_argument("--no-prealert", action="store_true", help="only the first phase (\"prealert\": null)")
    parser.add_argument("--keep", action="store_true", help="keep the work and instance folders (Asterisk's logs)")
    args = parser.parse_args(argv)
    root = StackConfig.from_env().asterisk_root
    work = Path(tempfile.mkdtemp(prefix="cc-bench-escalation-"))
    agent_port = free_port(udp=True)
    asterisk = bench_asterisk(root, work, agent_port)
    agent = SippAgent("agent1", agent_port, work / "agent")
    asterisk.start()
    agent.start()
    management = None
    try:
        files = prompt_files_for(asterisk)
        # Phase 1, pre-alert off: the queue rings the agent, who answers after the fixed ring.
        result = summarise(asyncio.run(escalate_calls(asterisk, args.calls, args.talk_s, files)))
        result["prealert"] = None
        if not args.no_prealert:
            # Phase 2, the same stack with pre-alert on: Django reserves the agent (ManagementSide),
            # pbx holds them and Dials them first on the decision; their phone answers at once
            # (answer-after=0) and they hear a tone, not the summary (they followed the call).
            management = ManagementSide(work / "django", QUEUE, ["agent1"])
            timings = asyncio.run(escalate_calls(asterisk, args.calls, args.talk_s, files, management=management,
                                                 at_risk_lead_s=args.at_risk_lead_s))  # fmt: skip
            if errors := management.errors():
                raise RuntimeError(f"Django's event handling failed: {errors[0]!r}")
            result["prealert"] = summarise_prealert(timings)
        return result
    finally:
        if management is not None:
            management.close()
        agent.stop()
        asterisk.stop()
        if not args.keep:
            shutil.rmtree(root / asterisk.settings.instance_dir.lstrip("/"), ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
