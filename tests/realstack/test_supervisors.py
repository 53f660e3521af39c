"""Supervisors on a real Asterisk: listen, whisper, barge and take over, heard by real phones.

Everyone speaks a tone of their own pitch, so what each one heard tells who reached them: the
customer, the agent and the supervisor are baresip phones registered as endpoints (700, 1700
and 1100 Hz, each recording what it receives as it arrives); the bot says 500 Hz through pbx's
own ExternalMedia leg and keeps the frames it is given. pbx's call engine runs in the test
process, on ARI and AMI, and dials the customer's phone as it dials a lead.

One call goes through every mode: listened to and barged into while with the bot (a whisper
refused there), escalated with the supervisor still listening, then with the agent listened to,
whispered to and barged into, and stopped. A second call is taken over by the supervisor to
their own phone while VoiceWatch decides to escalate it at the same moment. Each mode's
stretch of audio is cut out of the recordings by their sizes when it began and ended; the
supervisor's recording growing is the clock (no sleeps).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import numpy as np
import pytest
from sqlalchemy import select

from ops.simulator.desk_phone import DeskPhone
from ops.simulator.scripted_bot import QuietConversation
from ops.stack.asterisk import AsteriskInstance
from pbx.ami import AmiLink
from pbx.ami_listener import AmiQueueListener
from pbx.api import (
    AgentConnected,
    AgentPhone,
    CallAnswered,
    CallEnded,
    CallEscalated,
    CallQueued,
    Event,
    ForceAgentState,
    OriginateCall,
    QueueMember,
    QueueSpec,
    StopSupervising,
    SuperviseCall,
    SupervisorActed,
    SupervisorTakeover,
    Telephony,
    md5_cred,
)
from pbx.ari.client import HttpAriRest
from pbx.bus.ledger_sink import write_event
from pbx.calls.engine import CallEngine
from pbx.calls.protocols import CallIO
from pbx.ledger import LedgerWriter, make_engine
from pbx.ledger.schema import Leg, SupervisorActionRow, metadata
from pbx.media.codec import ULAW
from tests.conftest import password_of, throwaway_asterisk
from tests.realstack.harness import ari_app, wait_for_event

pytestmark = pytest.mark.realstack

SUPERVISOR, SUP_PHONE, AGENT, CUSTOMER, QUEUE = "boss", "sup1", "agentw", "cust1", "floor"
CUSTOMER_HZ, AGENT_HZ, SUPERVISOR_HZ, BOT_HZ = 700, 1700, 1100, 500
RATE, FRAME = 8000, 160  # what every recording here holds: 8 kHz, 20 ms frames
WAV_HEADER = 44  # sndfile writes a plain 44-byte header first
WINDOW_S = 2.0  # each mode is heard this long (by the supervisor's phone's clock)
EDGE_S = 0.5  # cut from both ends of a mode's stretch: switching takes a moment


@dataclass
class Floor:
    asterisk: AsteriskInstance
    supervisor: DeskPhone
    agent: DeskPhone
    customer: DeskPhone


@pytest.fixture(scope="module")
def floor(asterisk_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Floor]:
    base = tmp_path_factory.mktemp("supervisors")
    telephony = Telephony(
        agents=tuple(AgentPhone(name=n, md5_cred=md5_cred(n, password_of(n))) for n in (SUP_PHONE, AGENT, CUSTOMER)),
        queues=(QueueSpec(name=QUEUE, members=(QueueMember(agent=AGENT),), max_wait_s=30, ring_timeout_s=10,
                          wrap_up_s=0),),
        failsafe_queue=QUEUE,
    )  # fmt: skip
    with throwaway_asterisk(asterisk_root, base / "asterisk", telephony) as asterisk:
        phones = [DeskPhone(name, password_of(name), asterisk.settings.sip_port, base / name, tone_hz=hz,
                            record_dir=base / f"{name}-heard")
                  for name, hz in ((SUP_PHONE, SUPERVISOR_HZ), (AGENT, AGENT_HZ), (CUSTOMER, CUSTOMER_HZ))]  # fmt: skip
        try:
            for phone in phones:
                phone.start()
                phone.registered()
            yield Floor(asterisk, *phones)
        finally:
            for phone in phones:
                phone.stop()


class ListeningBot(QuietConversation):
    """Says its tone for a minute and keeps every frame it hears; the test escalates through its ``io``."""

    def __init__(self) -> None:
        self.io: CallIO | None = None
        self.heard: list[np.ndarray] = []

    async def start(self, io: CallIO) -> None:
        self.io = io
        t = np.arange(io.sample_rate * 60) / io.sample_rate
        await io.play((np.sin(2 * np.pi * BOT_HZ * t) * 16000).astype(np.int16))

    def on_audio(self, samples: np.ndarray) -> None:
        self.heard.append(samples.copy())


def customer_call() -> OriginateCall:
    """An AI call to the customer's phone, which answers and says its tone until hung up."""
    return OriginateCall(endpoint=f"PJSIP/{CUSTOMER}", flow="scripted", escalation_queue=QUEUE)


def run_engine(floor: Floor, bots: dict[str, ListeningBot], body) -> list[Event]:
    """``body(engine, events)`` with pbx's call engine on ARI and AMI, as pbx runs it."""
    s = floor.asterisk.settings
    events: list[Event] = []

    async def publish(event: Event) -> None:
        events.append(event)

    async def go() -> None:
        ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, floor.asterisk.ari_url, s.ari_user, s.ari_password)
            engine = CallEngine(rest, publish, s.ari_app, lambda call: bots.setdefault(call.call_id, ListeningBot()),
                                ULAW, failsafe_queue=QUEUE, ami=ami.action)  # fmt: skip
            listener = asyncio.create_task(AmiQueueListener(ami).run([engine.on_ami_event]))
            await ami.start()
            try:
                await until(lambda: ami.logged_in, 10)
                async with ari_app(session, floor.asterisk, s.ari_app, engine.on_event):
                    await body(engine, events)
            finally:
                listener.cancel()
                ami.close()

    asyncio.run(go())
    return events


async def until(check, timeout: float):
    async with asyncio.timeout(timeout):
        while not (value := check()):
            await asyncio.sleep(0.05)
    return value


async def acted(events: list[Event], action: str, ok: bool = True, after: int = 0) -> SupervisorActed:
    """The supervisor's ``action`` among the events from index ``after`` on, once pbx has carried
    it out (or refused it)."""

    def found() -> SupervisorActed | None:
        return next((e for e in events[after:] if isinstance(e, SupervisorActed) and e.action == action), None)

    event = await until(found, 15)
    assert event.ok is ok, event
    return event


# ------------------------------------------------------------------ recordings, cut by mode


@dataclass
class Ears:
    """Where each party's recording stood (in samples) as each mode began and ended."""

    files: dict[str, Path] = field(default_factory=dict)
    bot: ListeningBot | None = None
    marks: list[tuple[str, dict[str, int], dict[str, int]]] = field(default_factory=list)

    def where(self) -> dict[str, int]:
        at = {name: max(0, path.stat().st_size - WAV_HEADER) // 2 for name, path in self.files.items()}
        if self.bot is not None:
            at["bot"] = sum(len(frame) for frame in self.bot.heard)
        return at

    async def hear(self, mode: str) -> None:
        """Let ``mode`` be heard WINDOW_S by the supervisor's phone, marking its stretch."""
        start = self.where()
        await until(lambda: self.where()["supervisor"] - start["supervisor"] >= WINDOW_S * RATE, 15)
        self.marks.append((mode, start, self.where()))

    def stretches(self, party: str, samples: np.ndarray) -> dict[str, np.ndarray]:
        edge = int(EDGE_S * RATE)
        return {mode: samples[start[party] + edge : end[party] - edge]
                for mode, start, end in self.marks if party in start}  # fmt: skip


def customer_talking(bot: ListeningBot) -> bool:
    recent = bot.heard[-10:]
    return len(recent) == 10 and tone_share(np.concatenate(recent).astype(np.float64), CUSTOMER_HZ) > 0.8


def samples_of(path: Path) -> np.ndarray:
    """A recording's samples, read past its header (its size fields may still be zero)."""
    return np.frombuffer(path.read_bytes()[WAV_HEADER:], dtype=np.int16).astype(np.float64)


def tone_share(samples: np.ndarray, hz: float) -> float:
    """The fraction of 20 ms frames in which ``hz`` is clearly heard (loud, and a tenth of the frame's energy)."""
    frames = samples[: len(samples) // FRAME * FRAME].reshape(-1, FRAME)
    if not len(frames):
        return 0.0
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(FRAME), n=800, axis=1)) ** 2
    freqs = np.fft.rfftfreq(800, 1 / RATE)
    band = spectrum[:, np.abs(freqs - hz) <= 40].sum(axis=1)
    total = spectrum.sum(axis=1)
    loud = np.sqrt((frames**2).mean(axis=1)) > 100
    return float((loud & (band > 0.1 * np.maximum(total, 1e-9))).mean())


def assert_heard(heard: dict[str, np.ndarray], who: str, hz: float, modes: set[str], silent: set[str]) -> None:
    for mode in modes:
        assert tone_share(heard[mode], hz) > 0.8, f"{who} should hear {hz} Hz while {mode}: {tone_share(heard[mode], hz):.2f}"
    for mode in silent:
        assert tone_share(heard[mode], hz) < 0.05, f"{who} heard {hz} Hz while {mode}: {tone_share(heard[mode], hz):.2f}"


async def ledger_rows(events: list[Event], path: Path) -> tuple[list, list]:
    """The supervisor actions and snoop legs the ledger holds once pbx's events are written."""
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    writer = LedgerWriter(engine)
    for event in events:
        async with writer.transaction() as w:
            await write_event(w, event)
    async with engine.connect() as conn:
        actions = (await conn.execute(select(SupervisorActionRow).order_by(SupervisorActionRow.id))).mappings().all()
        legs = (await conn.execute(select(Leg).where(Leg.kind == "snoop"))).mappings().all()
    await engine.dispose()
    return list(actions), list(legs)


# ------------------------------------------------------------------ the tests


def test_a_supervisor_listens_barges_and_whispers_from_the_bot_to_the_agent(floor: Floor, tmp_path: Path) -> None:
    bots: dict[str, ListeningBot] = {}
    ears = Ears()

    async def body(engine: CallEngine, events: list[Event]) -> None:
        command = customer_call()
        call_id = command.call_id
        await engine.handle_command(command)
        await wait_for_event(events, lambda e: isinstance(e, CallAnswered), 15)
        floor.customer.answered_call(timeout=1)
        ears.files["customer"] = floor.customer.recordings()[-1]
        ears.bot = await until(lambda: bots.get(call_id) if call_id in bots and bots[call_id].io else None, 10)
        await until(lambda: customer_talking(ears.bot), 10)  # the customer's tone has begun

        async def supervise(mode: str, ok: bool = True) -> SupervisorActed:
            mark = len(events)
            await engine.handle_command(SuperviseCall(call_id=call_id, mode=mode, supervisor=SUPERVISOR,
                                                      supervisor_phone=SUP_PHONE))  # fmt: skip
            return await acted(events, mode, ok, after=mark)

        # With the bot: listen, then barge (a whisper has nobody to reach: refused, barge stays).
        await supervise("listen")
        rung = floor.supervisor.answered_call(timeout=1)  # its screen says which call, and why it rang
        assert (rung.headers["X-CC-Call-Id"], rung.headers["X-CC-Supervise"]) == (call_id, f"listen {call_id}"), rung
        ears.files["supervisor"] = floor.supervisor.recordings()[-1]
        await ears.hear("bot-listen")
        await supervise("barge")
        await ears.hear("bot-barge")
        assert "no agent" in (await supervise("whisper", ok=False)).detail
        # Listening through the escalation: the snoop stays on the customer's channel.
        await supervise("listen")
        await ears.bot.io.escalate(QUEUE, "anger", 0.9, "Angry about a late order.")
        connected = await wait_for_event(events, lambda e: isinstance(e, AgentConnected), 20)
        assert connected.agent == AGENT
        floor.agent.answered_call(timeout=1)
        ears.files["agent"] = floor.agent.recordings()[-1]
        await ears.hear("agent-listen")
        whisper = await supervise("whisper")
        assert whisper.agent == AGENT and "agent's channel" in whisper.detail, whisper
        await ears.hear("agent-whisper")
        await supervise("barge")
        await ears.hear("agent-barge")
        await engine.handle_command(StopSupervising(call_id=call_id, supervisor=SUPERVISOR))
        stop = await acted(events, "stop")
        assert stop.leg and stop.phone == SUP_PHONE
        assert engine.supervision.legs == {}
        floor.asterisk.ari_request("DELETE", f"channels/{call_id}")
        await wait_for_event(events, lambda e: isinstance(e, CallEnded), 10)

        # The supervisor pauses the agent, then logs them out: Asterisk offers them no call.
        await engine.handle_command(ForceAgentState(agent=AGENT, action="pause_agent", reason="coaching",
                                                    supervisor=SUPERVISOR))  # fmt: skip
        await acted(events, "pause_agent")
        assert "paused:coaching" in member_line(floor.asterisk, AGENT)
        await engine.handle_command(ForceAgentState(agent=AGENT, action="log_out_agent", supervisor=SUPERVISOR))
        await acted(events, "log_out_agent")
        assert "paused:logged out by boss" in member_line(floor.asterisk, AGENT)
        floor.asterisk.cli(f"queue unpause member PJSIP/{AGENT}")

    events = run_engine(floor, bots, body)

    heard = {party: ears.stretches(party, samples_of(path)) for party, path in ears.files.items()}
    heard["bot"] = ears.stretches("bot", np.concatenate(ears.bot.heard).astype(np.float64))
    modes = {"bot-listen", "bot-barge", "agent-listen", "agent-whisper", "agent-barge"}
    with_agent = {"agent-listen", "agent-whisper", "agent-barge"}
    # The supervisor hears the customer in every mode, the bot while it has the call, then the agent.
    assert_heard(heard["supervisor"], "the supervisor", CUSTOMER_HZ, modes, set())
    assert_heard(heard["supervisor"], "the supervisor", BOT_HZ, {"bot-listen", "bot-barge"}, set())
    assert_heard(heard["supervisor"], "the supervisor", AGENT_HZ, with_agent, set())
    # Nobody but the supervisor hears the supervisor while listening; the agent alone while whispered to.
    assert_heard(heard["customer"], "the customer", SUPERVISOR_HZ, {"bot-barge", "agent-barge"},
                 {"bot-listen", "agent-listen", "agent-whisper"})  # fmt: skip
    assert_heard(heard["customer"], "the customer", AGENT_HZ, with_agent, set())
    assert_heard(heard["customer"], "the customer", BOT_HZ, {"bot-listen", "bot-barge"}, set())
    assert_heard(heard["bot"], "the bot", SUPERVISOR_HZ, {"bot-barge"}, {"bot-listen"})
    assert_heard(heard["agent"], "the agent", SUPERVISOR_HZ, {"agent-whisper", "agent-barge"}, {"agent-listen"})
    assert_heard(heard["agent"], "the agent", CUSTOMER_HZ, with_agent, set())

    actions, legs = asyncio.run(ledger_rows(events, tmp_path / "ledger.sqlite3"))
    assert [(a.action, a.ok, a.supervisor) for a in actions] == [
        ("listen", True, SUPERVISOR), ("barge", True, SUPERVISOR), ("whisper", False, SUPERVISOR),
        ("listen", True, SUPERVISOR), ("whisper", True, SUPERVISOR), ("barge", True, SUPERVISOR),
        ("stop", True, SUPERVISOR), ("pause_agent", True, SUPERVISOR), ("log_out_agent", True, SUPERVISOR),
    ]  # fmt: skip
    assert actions[-1].agent == AGENT and actions[-1].detail == "logged out by boss"
    [leg] = legs
    assert leg.endpoint == f"PJSIP/{SUP_PHONE}" and leg.started_at is not None and leg.ended_at is not None


def test_a_supervisor_takes_a_call_over_before_voicewatch_escalates_it(floor: Floor, tmp_path: Path) -> None:
    bots: dict[str, ListeningBot] = {}
    answered_before = len(floor.supervisor.calls_answered())

    async def body(engine: CallEngine, events: list[Event]) -> None:
        command = customer_call()
        call_id = command.call_id
        await engine.handle_command(command)
        await wait_for_event(events, lambda e: isinstance(e, CallAnswered), 15)
        bot = await until(lambda: bots.get(call_id) if call_id in bots and bots[call_id].io else None, 10)
        await engine.handle_command(SuperviseCall(call_id=call_id, mode="listen", supervisor=SUPERVISOR,
                                                  supervisor_phone=SUP_PHONE))  # fmt: skip
        await acted(events, "listen")
        # VoiceWatch decides to escalate at the very moment the supervisor takes over (its request
        # to Asterisk already on its way): the supervisor's phone gets the caller.
        takeover = SupervisorTakeover(call_id=call_id, supervisor_phone=SUP_PHONE, supervisor=SUPERVISOR)
        assert bot.io is not None
        await asyncio.gather(bot.io.escalate(QUEUE, "anger", 0.9, "VoiceWatch: angry"),
                             engine.handle_command(takeover))  # fmt: skip
        took = await acted(events, "takeover")
        assert took.detail == f"to phone {SUP_PHONE}"
        connected = await wait_for_event(events, lambda e: isinstance(e, AgentConnected), 15)
        assert connected.agent == SUP_PHONE and connected.call_id == call_id
        await bot.io.escalate(QUEUE, "anger", 0.95, "VoiceWatch again")  # after the takeover: nothing happens
        await until(lambda: len(floor.supervisor.calls_answered()) == answered_before + 2, 5)
        taken = floor.supervisor.calls_answered()[-1]  # with the screen-pop headers an agent gets
        assert taken.headers["X-CC-Call-Id"] == call_id, taken
        assert taken.headers["X-CC-Escalation-Reason"] == "supervisor_takeover", taken
        escalations = [e for e in events if isinstance(e, CallEscalated)]
        assert [(e.reason, e.queue) for e in escalations] == [("supervisor_takeover", QUEUE)], escalations
        assert not [e for e in events if isinstance(e, CallQueued)]
        floor.asterisk.ari_request("DELETE", f"channels/{call_id}")
        ended = await wait_for_event(events, lambda e: isinstance(e, CallEnded), 10)
        assert ended.outcome == "escalated" and ended.detail == "supervisor_takeover"

        # A supervisor acting on a call pbx does not know is told so; nothing is raised.
        mark = len(events)
        await engine.handle_command(SuperviseCall(call_id="no-such-call", mode="listen", supervisor=SUPERVISOR,
                                                  supervisor_phone=SUP_PHONE))  # fmt: skip
        assert "no live call" in (await acted(events, "listen", ok=False, after=mark)).detail

    events = run_engine(floor, bots, body)
    actions, legs = asyncio.run(ledger_rows(events, tmp_path / "ledger.sqlite3"))
    assert [(a.action, a.ok, a.supervisor, a.phone) for a in actions] == [
        ("listen", True, SUPERVISOR, SUP_PHONE), ("stop", True, SUPERVISOR, SUP_PHONE),
        ("takeover", True, SUPERVISOR, SUP_PHONE), ("listen", False, SUPERVISOR, SUP_PHONE),
    ]  # fmt: skip
    assert actions[1].detail == f"took the call over to phone {SUP_PHONE}"
    assert [leg.endpoint for leg in legs] == [f"PJSIP/{SUP_PHONE}"]


def member_line(asterisk: AsteriskInstance, agent: str) -> str:
    return next(line for line in asterisk.cli(f"queue show {QUEUE}").splitlines() if f"(PJSIP/{agent})" in line)

