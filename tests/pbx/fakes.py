"""Scripted stand-ins for unit tests: an ARI that records every request and answers from a
small state, and a call (I/O, speech, TTS) for a conversation to talk to."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from asterisk_config.music import Opening
from pbx.api import Event
from pbx.ari.client import AriError
from workers.assessment import UtteranceAssessment
from workers.prosody import CallerBaseline


class FakeAri:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.app_channels: list[str] = []
        self.app_bridges: list[str] = []
        self.fail: dict[tuple[str, str], AriError] = {}
        self._requested = asyncio.Event()

    def _record(self, method: str, path: str, params: dict[str, Any]) -> None:
        self.requests.append((method, path, params))
        self._requested.set()
        for (m, prefix), error in self.fail.items():
            if m == method and path.startswith(prefix):
                raise error

    async def request_made(self, method: str, prefix: str, timeout_s: float = 5.0) -> tuple[str, dict[str, Any]]:
        """The first ``method`` request whose path starts with ``prefix``, once it is made: (path, params)."""
        async with asyncio.timeout(timeout_s):
            while True:
                for m, path, params in self.requests:
                    if m == method and path.startswith(prefix):
                        return path, params
                self._requested.clear()
                await self._requested.wait()

    def variables_set(self, channel_id: str) -> dict[str, str]:
        """The channel variables pbx set on ``channel_id``, several-at-once requests
        (``ARRAY(A,B)``, pbx.calls.escalation.set_channel_variables) read as what they set."""
        found: dict[str, str] = {}
        for _, path, params in self.requests:
            if path != f"channels/{channel_id}/variable":
                continue
            if params["variable"].startswith("ARRAY("):
                names = params["variable"][len("ARRAY("):-1].split(",")
                found.update(zip(names, params["value"].split(","), strict=True))
            else:
                found[params["variable"]] = params["value"]
        return found

    async def get(self, path: str, **params: Any) -> Any:
        self._record("GET", path, params)
        if path.startswith("applications/"):
            return {"channel_ids": self.app_channels, "bridge_ids": self.app_bridges}
        if path == "channels":  # every channel Asterisk has
            return list(self.channels.values())
        if path.startswith("channels/"):
            channel_id = path.split("/")[1]
            if channel_id not in self.channels:
                raise AriError("GET", path, 404, "Channel not found")
            return self.channels[channel_id]
        return {}

    async def post(self, path: str, body: Any = None, **params: Any) -> Any:
        self._record("POST", path, {**params, **({"body": body} if body else {})})
        return {}

    async def put(self, path: str, body: Any = None, **params: Any) -> Any:
        self._record("PUT", path, {**params, **({"body": body} if body else {})})
        return {}

    async def delete(self, path: str, **params: Any) -> Any:
        self._record("DELETE", path, params)
        return None

    def paths(self, method: str) -> list[str]:
        return [path for m, path, _ in self.requests if m == method]


# ------------------------------------------------------------------ a scripted call for a conversation


class FakeCallIO:
    """The engine's side of one call, scripted: records what the conversation does to it.

    ``play`` lasts until ``stop_playback`` when ``hold_playback`` is set (a prompt the caller
    can talk over), else it ends at once. ``until`` waits for a condition on what was recorded.
    """

    def __init__(self, call_id: str = "call-1", sample_rate: int = 8000, hold_playback: bool = False) -> None:
        self.call_id = call_id
        self.sample_rate = sample_rate
        self.hold_playback = hold_playback
        self.plays: list[np.ndarray] = []
        self.stops = 0
        self.escalations: list[tuple[str, str, float, str]] = []
        self.openings: list[Opening] = []
        self.hangups: list[tuple[str, str]] = []
        self.events: list[Event] = []
        self._playback_done: asyncio.Event | None = None
        self._changed = asyncio.Condition()

    async def _record(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def until(self, condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
        async with asyncio.timeout(timeout_s), self._changed:
            await self._changed.wait_for(condition)

    async def play(self, samples: np.ndarray) -> float:
        self.plays.append(samples)
        if not self.hold_playback:
            await self._record()
            return len(samples) / self.sample_rate
        self._playback_done = asyncio.Event()
        await self._record()
        await self._playback_done.wait()
        self._playback_done = None
        return 0.0

    async def play_stream(self, pieces) -> float:
        """Played as one prompt, once all its pieces are there."""
        return await self.play(np.concatenate([piece async for piece in pieces]))

    def stop_playback(self) -> None:
        self.stops += 1
        if self._playback_done is not None:
            self._playback_done.set()

    def on_output(self, listener: Callable[[np.ndarray | None], None]) -> None:
        pass  # nothing is sent to a scripted line, so the echo guard hears no echo

    @property
    def playing(self) -> bool:
        return self._playback_done is not None

    async def escalate(self, queue: str, reason: str, score: float, summary: str,
                       decided_at: float | None = None, opening: Opening = Opening.BRIDGE) -> None:  # fmt: skip
        self.escalations.append((queue, reason, score, summary))
        self.openings.append(opening)
        await self._record()

    async def hangup(self, outcome: str, detail: str = "") -> None:
        self.hangups.append((outcome, detail))
        await self._record()

    async def publish(self, event: Event) -> None:
        self.events.append(event)
        await self._record()


@dataclass(frozen=True)
class _Audio:
    samples: np.ndarray


@dataclass(frozen=True)
class _Prompt:
    audio: _Audio


class FakeTts:
    """Every text becomes 0.1 s of silence; ``said`` lists the texts in order."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def synthesize(self, text: str, sample_rate: int, persist: bool = True) -> _Prompt:
        self.said.append(text)
        return _Prompt(_Audio(np.zeros(sample_rate // 10, dtype=np.int16)))

    def stream(self, text: str, sample_rate: int):
        yield self.synthesize(text, sample_rate).audio


class FakeSpeechSession:
    def __init__(self, sink: Callable[[UtteranceAssessment, Any], None]) -> None:
        self.sink = sink
        self.frames = 0
        self.closed = False

    def feed_samples(self, samples: np.ndarray) -> list:
        self.frames += 1
        return []

    def close(self) -> list:
        self.closed = True
        return []


class FakeSpeech:
    """``LiveSpeech`` without models: ``hear`` delivers an assessment as the ASR thread would."""

    def __init__(self) -> None:
        self.session: FakeSpeechSession | None = None

    def open_call(self, call_id: str, sample_rate: int, encoding: str, sink) -> FakeSpeechSession:
        self.session = FakeSpeechSession(sink)
        return self.session

    def hear(self, text: str, final: bool = True, start_s: float = 1.0, end_s: float = 2.5,
             sentiment: float | None = None) -> None:  # fmt: skip
        assert self.session is not None, "the conversation has not started"
        self.session.sink(UtteranceAssessment(
            call_id="call-1", utterance_id=f"u-{text[:8]}", is_final=final, text=text, words=[], asr_confidence=0.9,
            engine="fake", start_s=start_s, end_s=end_s, prosody=None, prosody_z=None, sentiment=sentiment,
            quality=None, baseline=CallerBaseline(),
        ), None)  # fmt: skip
