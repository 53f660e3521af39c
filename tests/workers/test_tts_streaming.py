"""Prompts in pieces (the first one plays while the rest is synthesised) and the bounded memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from workers.audio import Audio
from workers.tts.base import TtsError
from workers.tts.cache import PromptCache
from workers.tts.memory import PromptKey, PromptMemory
from workers.tts.pieces import speech_pieces
from workers.tts.piper_engine import PiperEngine
from workers.tts.service import PromptSynthesizer

GREETING = ("Hello Asha, this is an automated call about your order A1234: a steel water bottle for 499 rupees. "
            "Shall we go ahead and deliver it? Please say yes or no.")  # fmt: skip


class Beeps:
    """An engine that says each text as 40 ms of silence then a tone a word long, and logs what it was asked."""

    def __init__(self, name: str = "beeps", fail_on: str | None = None, rate: int = 16000) -> None:
        self.name, self.voice, self.sample_rate = name, "v1", rate
        self.asked: list[str] = []
        self.fail_on = fail_on

    def synthesize(self, text: str) -> Audio:
        self.asked.append(text)
        if self.fail_on is not None and self.fail_on in text:
            raise TtsError("voice server on fire")
        tone = (8000 * np.sin(np.arange(len(text.split()) * self.sample_rate // 5) / 3)).astype(np.int16)
        return Audio(np.concatenate([np.zeros(self.sample_rate // 25, np.int16), tone]), self.sample_rate)


def test_a_long_first_sentence_is_cut_at_its_clause_marks() -> None:
    assert speech_pieces(GREETING) == [
        "Hello Asha,", "this is an automated call about your order A1234:", "a steel water bottle for 499 rupees.",
        "Shall we go ahead and deliver it?", "Please say yes or no.",
    ]  # fmt: skip
    # Short first sentences are whole pieces; a piece has two words at least.
    assert speech_pieces("Okay, thanks. Bye!") == ["Okay, thanks.", "Bye!"]
    assert speech_pieces("Yes, I will now read out the whole of your order, if you like") == [
        "Yes, I will now read out the whole of your order,", "if you like"]  # fmt: skip
    assert speech_pieces("One moment please.") == ["One moment please."]
    # A long sentence after a short one is cut too: "Okay." plays while its first clause is made.
    assert speech_pieces("Okay. Would you like to cancel the order, or change something, like the address?") == [
        "Okay.", "Would you like to cancel the order,", "or change something,", "like the address?"]  # fmt: skip


def test_stream_yields_each_piece_as_it_is_made_and_keeps_the_whole(tmp_path: Path) -> None:
    engine = Beeps()
    synth = PromptSynthesizer([engine], PromptCache(tmp_path), PromptMemory(10_000_000))
    pieces = synth.stream(GREETING, 8000)
    first = next(pieces)
    assert engine.asked == ["Hello Asha,"]  # the rest is not synthesised before the first piece plays
    # The engine's lead silence is cut to 10 ms: the caller does not wait for it.
    assert first.sample_rate == 8000 and np.flatnonzero(first.samples)[0] <= 80 + 1
    rest = list(pieces)
    assert len(engine.asked) == 5 and len(rest) == 4
    whole = np.concatenate([first.samples, *(p.samples for p in rest)])
    again = synth.cached(GREETING, 8000)
    assert again is not None and again.cached and len(again.audio.samples) == pytest.approx(len(whole), abs=4)
    assert len(list(synth.stream(GREETING, 8000))) == 1 and len(engine.asked) == 5  # the cached whole
    # synthesize makes the same pieces, so a prompt sounds the same however it was made.
    other = PromptSynthesizer([Beeps()], None).synthesize(GREETING, 8000)
    assert len(other.audio.samples) == pytest.approx(len(whole), abs=4)


def test_stream_falls_back_per_piece_and_keeps_no_mixed_prompt(tmp_path: Path) -> None:
    broken, fallback = Beeps("piper", fail_on="Hello"), Beeps("flite")
    synth = PromptSynthesizer([broken, fallback], PromptCache(tmp_path), PromptMemory(10_000_000))
    assert len(list(synth.stream(GREETING, 8000))) == 5
    assert broken.asked == ["Hello Asha,"] and len(fallback.asked) == 5
    assert synth.cached(GREETING, 8000) is not None  # all of it from flite: kept

    late, fallback = Beeps("piper", fail_on="Shall"), Beeps("flite")
    synth = PromptSynthesizer([late, fallback], PromptCache(tmp_path / "2"), PromptMemory(10_000_000))
    assert len(list(synth.stream(GREETING, 8000))) == 5
    assert fallback.asked == ["Shall we go ahead and deliver it?", "Please say yes or no."]
    assert synth.cached(GREETING, 8000) is None  # two voices in one prompt: made again next time

    with pytest.raises(TtsError, match="no TTS engine"):
        list(PromptSynthesizer([Beeps(fail_on="Hello")], None).stream(GREETING, 8000))


def test_a_prompt_for_one_lead_stays_in_memory_only(tmp_path: Path) -> None:
    cache = PromptCache(tmp_path)
    synth = PromptSynthesizer([Beeps()], cache, PromptMemory(10_000_000))
    assert not synth.synthesize("Hello Ravi, your order.", 8000, persist=False).cached
    assert not cache.path("beeps", "v1", "Hello Ravi, your order.").exists()
    assert synth.cached("Hello Ravi, your order.", 8000) is not None
    synth.synthesize("Thank you.", 16000)
    assert cache.path("beeps", "v1", "Thank you.").exists()


def test_memory_drops_the_least_recently_used_prompts_beyond_its_budget() -> None:
    memory = PromptMemory(max_bytes=3000)
    for name in "abc":
        memory.put(PromptKey("e", "v", name, 8000), np.zeros(500, np.int16))  # 1000 bytes each
    assert memory.get(PromptKey("e", "v", "a", 8000)) is not None  # a is now the most recent
    memory.put(PromptKey("e", "v", "d", 8000), np.zeros(500, np.int16))
    assert [k in memory for k in (PromptKey("e", "v", n, 8000) for n in "abcd")] == [True, False, True, True]
    assert memory.bytes == 3000 and len(memory) == 3
    memory.put(PromptKey("e", "v", "huge", 8000), np.zeros(5000, np.int16))  # larger than the budget: refused
    assert len(memory) == 3 and memory.bytes == 3000


def test_piper_streams_the_greeting_in_five_pieces(piper: PiperEngine) -> None:
    pieces = list(PromptSynthesizer([piper], None).stream(GREETING, 8000))
    assert len(pieces) == 5 and all(p.sample_rate == 8000 and p.duration_s > 0.3 for p in pieces)
    assert pieces[0].duration_s < 1.5  # "Hello Asha," alone
