"""Simulated customers that react to the bot: real calls, real audio, scripted replies.

Each customer is a Local channel (``Local/<token>@cc-sim-reactive``, or ``Local/<number>@…``
for customers answering a phone number) whose far half enters
our own ARI app. ``TALK_DETECT`` on that half reports when the bot starts and stops talking
(the audio it reads is what the bot sends), so the customer answers each prompt after it
ends, with synthesised speech played into the call — like a person, not on a timer.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pbx.ari.client import AriError, AriRest
from pbx.ari.events import AriEvent
from workers.audio import Audio, write_wav

log = logging.getLogger(__name__)

SIM_CONTEXT = "cc-sim-reactive"


@dataclass(frozen=True)
class CustomerScript:
    """What one simulated customer says, one line per bot prompt it answers."""

    name: str
    lines: tuple[str, ...]
    # Some callers do not wait for the bot to finish (seconds into the prompt), e.g. angry ones.
    interrupt_after_s: float | None = None
    # After the last line the customer stays this long, then hangs up (unless the call ends first).
    linger_s: float = 25.0
    # Whatever happens, a person gives up after this long.
    max_call_s: float = 120.0


@dataclass
class CustomerRun:
    token: str
    script: CustomerScript
    channel_id: str | None = None
    prompts_heard: int = 0
    bot_talk_s: float = 0.0
    lines_said: int = 0
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task | None = None


Synthesize = Callable[[str], Audio]  # text -> speech (written as an 8 kHz file Asterisk plays)


def flite_voice() -> Synthesize:
    """The customers' voice: flite, unlike the bot's piper voice, so the two sides sound apart."""
    from workers.tts.flite_engine import FliteEngine
    from workers.tts.service import PromptSynthesizer

    flite = PromptSynthesizer([FliteEngine()], cache=None)
    return lambda text: flite.synthesize(text, 8000).audio


class SimulatedCustomers:
    def __init__(self, rest: AriRest, app: str, synthesize: Synthesize, host_dir: Path, asterisk_dir: str) -> None:
        self._rest = rest
        self.app = app
        self._synthesize = synthesize
        self._host_dir = host_dir
        self._asterisk_dir = asterisk_dir.rstrip("/")
        self.runs: dict[str, CustomerRun] = {}
        self._by_channel: dict[str, CustomerRun] = {}
        self._numbers: dict[str, CustomerScript] = {}

    def register(self, script: CustomerScript) -> CustomerRun:
        """A customer whose channel enters this app with its token as the first argument."""
        token = "c" + uuid.uuid4().hex[:12]
        for line in script.lines:
            self._prepare(line)
        run = CustomerRun(token, script)
        self.runs[token] = run
        return run

    def answer_number(self, number: str, script: CustomerScript) -> None:
        """Whoever dials ``Local/<number>@cc-sim-reactive`` (a campaign, say) reaches a customer
        with this script; each call is a fresh run, so retries are answered too."""
        for line in script.lines:
            self._prepare(line)
        self._numbers[number] = script

    def endpoint(self, script: CustomerScript) -> tuple[str, CustomerRun]:
        """Register a customer; originate a call to the returned endpoint to reach it."""
        run = self.register(script)
        return f"Local/{run.token}@{SIM_CONTEXT}", run

    def _sound(self, text: str) -> str:
        return "sim-" + hashlib.sha256(text.encode()).hexdigest()[:16]

    def _prepare(self, text: str) -> None:
        name = self._sound(text)
        path = self._host_dir / f"{name}.wav"
        if path.exists():
            return
        self._host_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        write_wav(tmp, self._synthesize(text).resample(8000))
        tmp.rename(path)  # Asterisk never opens a half-written file

    async def on_event(self, event: AriEvent) -> None:
        if event.type == "StasisStart" and event.args:
            run = self.runs.get(event.args[0])
            if run is None and event.args[0] in self._numbers:
                run = self.register(self._numbers[event.args[0]])
            if run is not None and event.channel_id:
                run.channel_id = event.channel_id
                self._by_channel[event.channel_id] = run
                # Also for customers that call in (their channel enters the app without our dialplan).
                try:
                    await self._rest.post(f"channels/{event.channel_id}/variable", variable="TALK_DETECT(set)",
                                          value="900")  # fmt: skip
                except AriError as exc:
                    log.info("customer %s: no talk detection: %s", run.token, exc)
                run._task = asyncio.get_running_loop().create_task(self._linger(run))
            return
        run = self._by_channel.get(event.channel_id or "")
        if run is None:
            return
        if event.type == "ChannelTalkingStarted" and run.script.interrupt_after_s is not None:
            asyncio.get_running_loop().call_later(run.script.interrupt_after_s, self._interrupt, run)
        elif event.type == "ChannelTalkingFinished":
            run.prompts_heard += 1
            run.bot_talk_s += (event.duration_ms or 0) / 1000
            if run.script.interrupt_after_s is None:
                await self._say_next(run)
        elif event.type in ("StasisEnd", "ChannelDestroyed"):
            run.ended.set()
            if run._task is not None:
                run._task.cancel()

    def _interrupt(self, run: CustomerRun) -> None:
        if not run.ended.is_set():
            asyncio.get_running_loop().create_task(self._say_next(run))

    async def _say_next(self, run: CustomerRun) -> None:
        if run.lines_said >= len(run.script.lines) or run.channel_id is None:
            return
        text = run.script.lines[run.lines_said]
        run.lines_said += 1
        await self._play(run, text)

    async def say(self, run: CustomerRun, text: str) -> None:
        """``text`` said now, whatever the bot is doing: a test's cue, beside the script's lines."""
        await asyncio.to_thread(self._prepare, text)
        await self._play(run, text)

    async def _play(self, run: CustomerRun, text: str) -> None:
        if run.channel_id is None:
            return
        try:
            await self._rest.post(f"channels/{run.channel_id}/play",
                                  media=f"sound:{self._asterisk_dir}/{self._sound(text)}")  # fmt: skip
        except AriError as exc:
            log.info("customer %s could not speak: %s", run.token, exc)

    async def _linger(self, run: CustomerRun) -> None:
        """Hang up once the script is done and the customer has waited long enough."""
        try:
            async with asyncio.timeout(run.script.max_call_s):
                while run.lines_said < len(run.script.lines):
                    await asyncio.sleep(1)
                await asyncio.sleep(run.script.linger_s)
        except TimeoutError:
            log.info("customer %s gives up after %.0f s", run.token, run.script.max_call_s)
        if run.channel_id is not None and not run.ended.is_set():
            try:
                await self._rest.delete(f"channels/{run.channel_id}")
            except AriError:
                pass
