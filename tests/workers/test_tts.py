"""TTS: piper by default, flite as fallback, disk cache, prompts at the call's rate."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workers.synth import words_of
from workers.asr.base import transcribe_one
from workers.audio import Audio
from workers.settings import SpeechSettings
from workers.tts.base import TtsError, TtsUnavailable
from workers.tts.cache import PromptCache
from workers.tts.flite_engine import FliteEngine
from workers.tts.piper_engine import PiperEngine
from workers.tts.registry import create_tts_engine
from workers.tts.service import PromptSynthesizer


class Counting:
    """Wraps a real engine to count how often it is really asked to speak."""

    def __init__(self, engine, fail: bool = False) -> None:
        self.inner, self.fail, self.calls = engine, fail, 0
        self.name, self.voice = engine.name, engine.voice

    def synthesize(self, text: str) -> Audio:
        self.calls += 1
        if self.fail:
            raise TtsError("voice server on fire")
        return self.inner.synthesize(text)


def test_piper_prompt_at_8k_is_understood_by_asr(piper: PiperEngine, whisper, tmp_path: Path) -> None:
    synth = PromptSynthesizer([piper], PromptCache(tmp_path))
    prompt = synth.synthesize("Your appointment is confirmed for Friday morning.", 8000)
    assert (
        prompt.engine == "piper" and prompt.voice == "en_US-joe-medium" and prompt.audio.sample_rate == 8000
    )
    heard = transcribe_one(whisper, prompt.audio.resample(16000)).text
    assert {"appointment", "confirmed", "friday", "morning"} <= words_of(heard), heard


def test_flite_prompt_at_8k_is_understood_by_asr(whisper, tmp_path: Path) -> None:
    synth = PromptSynthesizer([FliteEngine()], PromptCache(tmp_path))
    prompt = synth.synthesize("Please hold while I transfer your call.", 8000)
    assert prompt.audio.sample_rate == 8000 and prompt.engine == "flite"
    heard = transcribe_one(whisper, prompt.audio.resample(16000)).text
    assert {"please", "hold", "call"} <= words_of(heard), heard


def test_cache_serves_repeats_at_any_call_rate(piper: PiperEngine, tmp_path: Path) -> None:
    engine = Counting(piper)
    synth = PromptSynthesizer([engine], PromptCache(tmp_path))
    first = synth.synthesize("One moment please.", 8000)
    again = synth.synthesize("  One   moment please. ", 16000)
    assert engine.calls == 1 and not first.cached and again.cached
    assert again.audio.sample_rate == 16000
    assert again.audio.duration_s == pytest.approx(first.audio.duration_s, abs=0.01)
    # A new process with the same cache directory does not synthesise again either.
    fresh = Counting(piper)
    assert PromptSynthesizer([fresh], PromptCache(tmp_path)).synthesize("One moment please.", 8000).cached
    assert fresh.calls == 0


def test_a_damaged_cache_entry_is_replaced(tmp_path: Path) -> None:
    engine = Counting(FliteEngine())
    cache = PromptCache(tmp_path)
    synth = PromptSynthesizer([engine], cache)
    synth.synthesize("Goodbye.", 8000)
    cache.path("flite", "kal", "Goodbye.").write_bytes(b"garbage")
    assert not synth.synthesize("Goodbye.", 8000).cached and engine.calls == 2


def test_fallback_engine_speaks_when_the_default_fails(piper: PiperEngine, tmp_path: Path) -> None:
    broken, fallback = Counting(piper, fail=True), Counting(FliteEngine())
    prompt = PromptSynthesizer([broken, fallback], PromptCache(tmp_path)).synthesize("Hello there.", 8000)
    assert prompt.engine == "flite" and broken.calls == 1 and fallback.calls == 1
    with pytest.raises(TtsError, match="voice server on fire"):
        PromptSynthesizer([Counting(piper, fail=True)], None).synthesize("Hello there.", 8000)


def test_bad_requests_are_refused_clearly(tmp_path: Path) -> None:
    synth = PromptSynthesizer([FliteEngine()], PromptCache(tmp_path))
    with pytest.raises(TtsError, match="empty"):
        synth.synthesize("   ", 8000)
    with pytest.raises(ValueError, match="8000 or 16000"):
        synth.synthesize("Hi.", 22050)
    with pytest.raises(TtsError, match="not loaded"):
        synth.synthesize("Hi.", 8000, engine="piper")


def test_coqui_is_optional_and_says_what_it_needs(tmp_path: Path) -> None:
    settings = SpeechSettings.from_env({"CC_TTS_CACHE_DIR": str(tmp_path)})
    try:
        import TTS  # noqa: F401
    except Exception:
        with pytest.raises(TtsUnavailable, match="pip install coqui-tts"):
            create_tts_engine(settings, "coqui")
    else:  # installed: without a local model it must refuse rather than download one
        with pytest.raises(Exception, match="CC_COQUI_MODEL_PATH"):
            create_tts_engine(settings, "coqui")
