"""Simulated customers with their own phone: they speak and listen over RTP, and time both.

Like :mod:`ops.simulator.customer`, each is a Local channel (``Local/c<token>@cc-sim-reactive``)
whose far half enters our ARI app; instead of Asterisk playing files into it and TALK_DETECT
telling when the bot stops, that half is bridged with an ExternalMedia channel of this
process, so the customer's line is a UDP socket here, as a phone's is:

- what the customer says goes out as a steady 20 ms RTP stream (silence between lines), and
  the wall-clock time each frame carrying speech leaves is noted;
- what the bot says arrives on the same socket, and the time of each frame carrying speech
  (any sample at or above ``LOUD``, about -38 dBFS) is noted as it is received.

A turn is then exact on the customer's side: its last non-silent frame sent → the first
non-silent frame of the bot's reply received. The customer says its next line once the bot has
been silent for ``reply_after_s`` (as TALK_DETECT's 900 ms did). ``python -m benchmarks turn``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

from ops.simulator.customer import SIM_CONTEXT, CustomerScript, Synthesize
from pbx.ari.client import AriError, AriRest
from pbx.ari.events import AriEvent
from pbx.calls.live import MediaLeg
from pbx.calls.media_leg import close_media_leg, open_media_leg
from pbx.media.codec import ULAW
from pbx.media.player import PromptPlayer

log = logging.getLogger(__name__)

LOUD = 400  # |sample| at or above: speech, not the line's silence


@dataclass
class Turn:
    said_end: float | None = None  # time.time() the customer's last non-silent frame of the line left
    reply_start: float | None = None  # ... and the first non-silent frame of the bot's reply arrived


@dataclass
class LineRun:
    token: str
    script: CustomerScript
    channel_id: str | None = None
    turns: list[Turn] = field(default_factory=list)
    lines_said: int = 0
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    leg: MediaLeg | None = None
    player: PromptPlayer | None = None
    speaking: bool = False
    bot_heard_at: float | None = None  # the bot's last non-silent frame received
    started: float = field(default_factory=time.monotonic)


def _loud(samples: np.ndarray) -> bool:
    return len(samples) > 0 and int(np.abs(samples.astype(np.int32)).max()) >= LOUD


class LineCustomers:
    def __init__(self, rest: AriRest, app: str, synthesize: Synthesize, reply_after_s: float = 0.9) -> None:
        self._rest = rest
        self.app = app
        self._synthesize = synthesize
        self._reply_after_s = reply_after_s
        self._lines: dict[str, np.ndarray] = {}
        self.runs: dict[str, LineRun] = {}
        self._by_channel: dict[str, LineRun] = {}
        self._legs: dict[str, MediaLeg] = {}  # media channel id -> its leg, until it enters Stasis

    def endpoint(self, script: CustomerScript) -> tuple[str, LineRun]:
        """Register a customer; originate a call to the returned endpoint to reach it."""
        for line in script.lines:
            if line not in self._lines:
                self._lines[line] = self._synthesize(line).resample(ULAW.sample_rate).samples
        run = LineRun("c" + uuid.uuid4().hex[:12], script)
        self.runs[run.token] = run
        # /n: the Local pair stays (bridged on both sides, Asterisk would otherwise optimise it away).
        return f"Local/{run.token}@{SIM_CONTEXT}/n", run

    async def on_event(self, event: AriEvent) -> None:
        if event.type == "StasisStart":
            if event.channel_id in self._legs:
                self._legs.pop(event.channel_id).ready.set()
                return
            run = self.runs.get(event.args[0]) if event.args else None
            if run is not None and event.channel_id:
                run.channel_id = event.channel_id
                self._by_channel[event.channel_id] = run
                asyncio.get_running_loop().create_task(self._connect(run))
            return
        run = self._by_channel.get(event.channel_id or "")
        if run is not None and event.type in ("StasisEnd", "ChannelDestroyed"):
            await self._end(run)

    async def _connect(self, run: LineRun) -> None:
        assert run.channel_id is not None
        try:
            run.leg = await open_media_leg(self._rest, self.app, run.channel_id, ULAW,
                                           lambda payload: self._heard(run, payload),
                                           lambda leg: self._legs.__setitem__(leg.channel_id, leg))  # fmt: skip
        except Exception as exc:  # the call ended while we set up, or Asterisk refused
            log.warning("customer %s: no line: %s", run.token, exc)
            await self._end(run)
            return
        rtp = run.leg.rtp
        run.player = PromptPlayer(ULAW, rtp.send, on_frame=lambda frame: self._sent(run, frame),
                                  on_tick=lambda: self._tick(run))  # fmt: skip
        run.player.run()

    def _heard(self, run: LineRun, payload: bytes) -> None:
        now = time.time()
        if not _loud(ULAW.decode(payload)):
            return
        run.bot_heard_at = now
        turn = run.turns[-1] if run.turns else None
        if turn is not None and not run.speaking and turn.said_end is not None and turn.reply_start is None:
            turn.reply_start = now

    def _sent(self, run: LineRun, frame: np.ndarray | None) -> None:
        if frame is not None and run.speaking and _loud(frame):
            run.turns[-1].said_end = time.time()

    def _tick(self, run: LineRun) -> None:
        if run.speaking or run.ended.is_set() or run.player is None:
            return
        if time.monotonic() - run.started > run.script.max_call_s:
            asyncio.get_running_loop().create_task(self._hang_up(run))
            run.ended.set()
            return
        quiet = run.bot_heard_at is not None and time.time() - run.bot_heard_at >= self._reply_after_s
        if quiet and run.lines_said < len(run.script.lines):
            self._say(run, run.script.lines[run.lines_said])
        elif quiet and time.time() - (run.bot_heard_at or 0) > run.script.linger_s:
            asyncio.get_running_loop().create_task(self._hang_up(run))

    def _say(self, run: LineRun, line: str) -> None:
        assert run.player is not None
        run.lines_said += 1
        run.speaking = True
        run.bot_heard_at = None
        run.turns.append(Turn())

        def done(_: asyncio.Future[float]) -> None:
            run.speaking = False

        run.player.start(self._lines[line]).add_done_callback(done)

    async def _hang_up(self, run: LineRun) -> None:
        if run.channel_id is not None:
            try:
                await self._rest.delete(f"channels/{run.channel_id}")
            except AriError:
                pass

    async def _end(self, run: LineRun) -> None:
        if run.ended.is_set() and run.leg is None:
            return
        run.ended.set()
        if run.player is not None:
            run.player.close()
        if run.leg is not None:
            leg, run.leg = run.leg, None
            await close_media_leg(self._rest, leg)
