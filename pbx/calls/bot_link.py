"""The bot on a call: answer, start its conversation over a media leg, feed it the caller's audio."""

from __future__ import annotations

import logging
import time
from functools import partial

import numpy as np

from pbx.api import CallAnswered, HandoverReason
from pbx.ari.client import AriError, AriRest
from pbx.calls.channels import hang_up
from pbx.calls.engine_io import EngineCallIO, Escalate
from pbx.calls.live import CallState, LiveCall
from pbx.calls.media_leg import MediaSetupError, open_media_leg
from pbx.calls.protocols import ConversationFactory, Publish
from pbx.calls.registry import CallRegistry
from pbx.media.codec import MediaFormat
from pbx.media.reframe import Reframer

log = logging.getLogger(__name__)

# Longer than a jitter burst, shorter than any pause that matters for end-of-speech.
MEDIA_GAP_S = 0.08


class BotLink:
    def __init__(self, rest: AriRest, app: str, publish: Publish,
                 conversations: ConversationFactory, media_format: MediaFormat, registry: CallRegistry,
                 escalate: Escalate, failsafe_queue: str) -> None:  # fmt: skip
        self._rest = rest
        self._app = app
        self._publish = publish
        self._conversations = conversations
        self._media_format = media_format
        self._registry = registry
        self._escalate = escalate
        self._failsafe_queue = failsafe_queue
        self._silent_frame = np.zeros(media_format.samples_per_frame, dtype=np.int16)

    async def answer(self, call: LiveCall) -> None:
        """The call is the bot's: say it was answered, and connect the bot in the background."""
        call.state = CallState.WITH_BOT
        call.answered_at = call.answered_at or time.time()
        await self._publish(CallAnswered(call_id=call.call_id, amd=call.amd_verdict, at=call.answered_at))
        call.spawn(self.connect(call))

    async def connect(self, call: LiveCall) -> None:
        """Conversation, media leg, then the conversation starts; any failure hands the call to a human."""
        try:
            conversation = self._conversations(call)
        except Exception as exc:  # unknown flow, bad policy: a human takes the call rather than silence
            log.error("call %s: cannot start the bot (%s); handing it to a human", call.call_id, exc)
            queue = call.escalation_queue or self._failsafe_queue
            await self._escalate(call, queue, HandoverReason.BOT_SETUP_FAILED, 1.0, f"The AI could not start: {exc}",
                                 None)  # fmt: skip
            return
        call.conversation = conversation
        call.reframer = Reframer(self._media_format.samples_per_frame)
        try:
            await self.open_media(call)
        except (AriError, MediaSetupError) as exc:
            log.error("call %s: media setup failed (%s); handing it to a human", call.call_id, exc)
            await self._escalate(call, self._failsafe_queue, HandoverReason.MEDIA_FAILURE, 1.0,
                                 "The AI could not connect.", None)  # fmt: skip
            return
        io = EngineCallIO(call, self._media_format, self._escalate, partial(hang_up, self._rest), self._publish,
                          on_tick=lambda: self._fill_gap(call))  # fmt: skip
        try:
            await conversation.start(io)
        except Exception:
            log.exception("call %s: conversation failed; handing it to a human", call.call_id)
            await self._escalate(call, self._failsafe_queue, HandoverReason.BOT_FAILURE, 1.0,
                                 "The AI failed on this call.", None)  # fmt: skip

    async def resume_after_queue(self, call: LiveCall, queue: str, status: str) -> None:
        """Back from a queue nobody answered: media again (or the bot, if it never started), then its turn."""
        await self.connect(call) if call.conversation is None else await self.open_media(call)
        if call.conversation is not None:
            await call.conversation.on_queue_timeout(queue, status)

    async def open_media(self, call: LiveCall) -> None:
        call.media = await open_media_leg(
            self._rest, self._app, call.channel_id, self._media_format,
            on_payload=lambda payload: self._on_rtp(call, payload), register=self._registry.add_media,
        )  # fmt: skip

    # ------------------------------------------------------------ the caller's audio, as numpy frames

    def _on_rtp(self, call: LiveCall, payload: bytes) -> None:
        call.last_audio_in = time.monotonic()
        if call.conversation is None or call.state is not CallState.WITH_BOT or call.reframer is None:
            return
        for frame in call.reframer.push(self._media_format.decode(payload)):
            self._hear(call, frame)

    def _hear(self, call: LiveCall, frame: np.ndarray) -> None:
        try:
            call.conversation.on_audio(frame)  # type: ignore[union-attr]
        except Exception:  # one bad frame must not stop the call's audio
            log.exception("call %s: listener failed on a frame", call.call_id)

    def _fill_gap(self, call: LiveCall) -> None:
        """No RTP for a while (silence suppression, a far end that only sends while talking):
        the listener hears silence, so an utterance can end and the no-input timer can run."""
        if call.conversation is None or call.state is not CallState.WITH_BOT or call.reframer is None:
            return
        if time.monotonic() - call.last_audio_in > MEDIA_GAP_S:
            for frame in call.reframer.flush():
                self._hear(call, frame)
            self._hear(call, self._silent_frame)
