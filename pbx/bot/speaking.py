"""A prompt on its way to the caller: from memory when it was synthesised ahead, else piece
by piece, the first piece playing while the next ones are synthesised.

Synthesis runs in an executor thread (piper holds the GIL only between ONNX runs); the
pieces cross to the event loop through a queue. A prompt cut short (barge-in, hang-up) is
still synthesised to its end in the background, so the next call that says it, or this one
repeating it, finds it whole in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np

from workers.tts.service import PromptSynthesizer

_END = object()


async def prompt_pieces(tts: PromptSynthesizer, text: str, sample_rate: int) -> AsyncIterator[np.ndarray]:
    """The prompt's audio at ``sample_rate``, piece by piece (one piece when it was ready)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()

    def deliver(item: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:
            pass  # the loop is gone (pbx stopping): nobody is listening

    def produce() -> None:
        try:
            for audio in tts.stream(text, sample_rate):
                deliver(audio.samples)
            deliver(_END)
        except Exception as exc:  # TtsError, or an engine's own failure: the caller hears it
            deliver(exc)

    loop.run_in_executor(None, produce)
    while True:
        item = await queue.get()
        if item is _END:
            return
        if isinstance(item, BaseException):
            raise item
        assert isinstance(item, np.ndarray)
        yield item
