"""Load the speech models once per pbx process and build the bot factory.

If the models cannot load, pbx still runs: every call is handed to a human with the reason,
because a blind bot must not guess (and a caller must never hear silence).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asterisk_config.music import OPENING_PROMPTS
from pbx.bot.context import CallSetupError
from pbx.bot.phrases import OPENING_PHRASES
from pbx.calls.live import LiveCall
from pbx.calls.protocols import ConversationFactory, PromptFileMaker
from pbx.settings import PbxSettings

if TYPE_CHECKING:
    from pbx.bot.conversation import Speech
    from pbx.bot.prompt_files import PromptFiles
    from workers.settings import SpeechSettings

log = logging.getLogger(__name__)


@dataclass
class BotRuntime:
    conversations: ConversationFactory
    prompt_files: PromptFileMaker | None
    status: dict[str, Any]
    speech: Speech | None = None  # what the conversations listen through, None when unavailable

    def close(self) -> None:
        """Stop the speech front's threads (in-process ASR, or the jobs' sender and reply reader)."""
        if self.speech is not None:
            self.speech.close()


class _Unavailable:
    def __init__(self, error: str) -> None:
        self.error = error

    def __call__(self, call: LiveCall):
        raise CallSetupError(f"speech models unavailable: {self.error}")


def load_bot_runtime(settings: PbxSettings, speech_env: Mapping[str, str] | None = None) -> BotRuntime:
    """``speech_env``: the CC_* speech settings (engines, model paths); the process environment by default."""
    try:
        from pbx.bot.factory import BotConversationFactory
        from pbx.bot.phrases import NO_AGENT_PHRASE
        from pbx.bot.presynthesis import PromptPreparer
        from pbx.bot.prompt_files import PromptFiles
        from pbx.media.codec import FORMATS
        from pbx.metrics import pbx_metrics
        from workers.settings import SpeechSettings
        from workers.tts.registry import create_prompt_synthesizer

        speech_settings = SpeechSettings.from_env(speech_env)
        live, asr = _load_speech(settings, speech_settings)
        tts = create_prompt_synthesizer(speech_settings)
    except Exception as exc:  # missing model, missing package: reported in /health, calls go to humans
        log.error("bot unavailable: %s", exc)
        return BotRuntime(_Unavailable(str(exc)), None, {"ready": False, "error": str(exc)})
    prompt_files = (
        PromptFiles(tts, Path(settings.media_dir), settings.media_dir_asterisk or settings.media_dir)
        if settings.media_dir
        else None
    )
    if prompt_files is not None:
        _write_opening_lines(prompt_files)
    # Prompts are synthesised at the rate the media leg carries (no resampling when said).
    preparer = PromptPreparer(tts, FORMATS[settings.media_format].sample_rate)
    preparer.prepare_phrases([NO_AGENT_PHRASE])
    factory = BotConversationFactory(live, tts, default_queue=settings.failsafe_queue, preparer=preparer,
                                     on_turn=pbx_metrics().bot_turn)  # fmt: skip
    status = {"ready": True, "asr": asr, "speech_mode": speech_settings.speech_mode,
              "tts": [e.name for e in tts.engines]}  # fmt: skip
    return BotRuntime(factory, prompt_files, status, live)


def _load_speech(settings: PbxSettings, speech: SpeechSettings) -> tuple[Speech, str]:
    """Where this pbx's calls are recognised, and the name /health gives it: in this process (the
    models load here), or on the asr queue's workers (pbx keeps the VAD and loads no model)."""
    if speech.speech_mode == "celery":
        from workers.asr.registry import DECODES_DURING_SPEECH
        from workers.remote.client import RemoteLiveSpeech
        from workers.remote.messages import REPLY_STREAM_PREFIX
        from workers.remote.transport import RedisCeleryTransport

        stream = REPLY_STREAM_PREFIX + re.sub(r"[^A-Za-z0-9_.:-]", "-", settings.consumer_name)[:80]
        transport = RedisCeleryTransport(settings.redis_url, stream)
        remote = RemoteLiveSpeech(transport, deadline_s=speech.speech_deadline_s, vad=speech.vad,
                                  speculate=speech.asr_engine in DECODES_DURING_SPEECH)  # fmt: skip
        return remote, f"celery:{speech.asr_engine}"
    from workers.asr.registry import create_asr_engine
    from workers.live import LiveSpeech
    from workers.sentiment import load_sentiment

    engine = create_asr_engine(speech)
    engine.warm()
    return LiveSpeech(engine, load_sentiment(), speech.vad, speech.asr_batch_seconds), engine.name


def _write_opening_lines(prompt_files: PromptFiles) -> None:
    """Once per start: the lines callers hear while agents ring, where the queues' twin music
    classes announce them from (``asterisk_config.music``). Without them they hear the music alone."""
    for opening, prompt in OPENING_PROMPTS.items():
        try:
            prompt_files.write(prompt, OPENING_PHRASES[opening])
        except Exception as exc:
            log.error("%s line not written (callers hear only music while agents ring): %s", opening, exc)
