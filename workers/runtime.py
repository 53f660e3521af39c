"""What a worker process loads once: engines built from settings, each on first use.

Celery tasks reach their engines through :func:`process_runtime` (one per process; the
``worker_process_init`` hook in :mod:`workers.tasks.speech` warms it before the first task).
Code that is not a Celery task builds a :class:`SpeechRuntime` itself and passes it down, and
tests inject engines through its constructor.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from functools import cache

from workers.asr.base import AsrEngine
from workers.asr.registry import create_asr_engine
from workers.sentiment import SentimentFn, load_sentiment
from workers.settings import SpeechSettings
from workers.tts.registry import create_prompt_synthesizer
from workers.tts.service import PromptSynthesizer

log = logging.getLogger(__name__)


class SpeechRuntime:
    def __init__(
        self,
        settings: SpeechSettings,
        *,
        asr: AsrEngine | None = None,
        prompts: PromptSynthesizer | None = None,
        sentiment: SentimentFn | None = None,
    ) -> None:
        self.settings = settings
        self._asr, self._prompts, self._sentiment = asr, prompts, sentiment
        # Thread pools may race to the first task; a model must still load only once.
        self._lock = threading.Lock()

    @property
    def asr(self) -> AsrEngine:
        with self._lock:
            if self._asr is None:
                self._asr = create_asr_engine(self.settings)
            return self._asr

    @property
    def prompts(self) -> PromptSynthesizer:
        with self._lock:
            if self._prompts is None:
                self._prompts = create_prompt_synthesizer(self.settings)
            return self._prompts

    @property
    def sentiment(self) -> SentimentFn:
        with self._lock:
            if self._sentiment is None:
                self._sentiment = load_sentiment()
            return self._sentiment

    def preload(self, kinds: Iterable[str]) -> None:
        """Load what this process will serve.

        A failure is logged, not raised: the worker still answers other queues (and health
        pings), and the task that needs the model raises the same clear error.
        """
        loaders = {"asr": lambda: self.asr.warm(), "nlp": lambda: self.sentiment, "tts": lambda: self.prompts}
        for kind in kinds:
            loader = loaders.get(kind)
            if loader is None:
                log.warning("CC_WORKER_PRELOAD: unknown kind %r (known: %s)", kind, ", ".join(loaders))
                continue
            try:
                loader()
                log.info("speech worker: loaded %s models", kind)
            except Exception:
                log.exception("could not load %s models", kind)


@cache
def process_runtime() -> SpeechRuntime:
    return SpeechRuntime(SpeechSettings.from_env())
