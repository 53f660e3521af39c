"""Moonshine base-en through the engine interface and the live path: trimmed, speculative, converted once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.workers.synth import concat, espeak, flite, silence, telephone, words_of
from workers.asr.moonshine_convert import convert_models
from workers.asr.moonshine_engine import BinTokenizer, MoonshineEngine, trim_silence
from workers.asr.pipeline import UtteranceResult
from workers.audio import Audio
from workers.live import LiveSpeech
from workers.models import MOONSHINE_MODEL


def test_it_transcribes_telephone_speech_even_when_it_ends_in_a_second_of_silence(
    moonshine: MoonshineEngine,
) -> None:
    speech = telephone(espeak("Please call me back tomorrow morning."))
    padded = concat(speech, silence(1.2)).resample(16000)
    [plain, trailing] = moonshine.transcribe_many([speech.resample(16000), padded])
    assert {"call", "tomorrow", "morning"} <= words_of(plain.text)  # espeak's "back" is hard to hear
    assert words_of(trailing.text) == words_of(plain.text)  # untrimmed, Moonshine says nothing here
    assert trailing.is_final and trailing.engine == "moonshine"
    [quiet] = moonshine.transcribe_many([silence(1.0, 16000)])
    assert quiet.text == ""


def test_trimming_keeps_the_speech_and_a_little_after_it() -> None:
    rate = 16000
    tone = (np.sin(np.arange(rate) * 0.1) * 8000).astype(np.int16)
    clip = concat(Audio(tone, rate), silence(1.0, rate))
    kept = trim_silence(clip.samples, rate)
    assert rate <= len(kept) <= rate + int(0.25 * rate)


def test_the_tokenizer_reads_the_packaged_vocabulary() -> None:
    tokenizer = BinTokenizer(MOONSHINE_MODEL.locate(None) / "tokenizer.bin")
    assert len(tokenizer.tokens) == 32000 and tokenizer.tokens[1:3] == [b"<s>", b"</s>"]
    assert tokenizer.decode([1, 2]) == ""  # BOS and EOS say nothing


def test_conversion_is_done_once_and_reused(tmp_path: Path) -> None:
    source = MOONSHINE_MODEL.locate(None)
    first = convert_models(source, tmp_path)
    names = {p.name for p in first.iterdir()}
    assert names >= {"encoder_model.onnx", "decoder_model_merged.onnx", "tokenizer.bin"}
    built = (first / "decoder_model_merged.onnx").stat().st_mtime_ns
    started = time.monotonic()
    assert convert_models(source, tmp_path) == first
    assert time.monotonic() - started < 0.5
    assert (first / "decoder_model_merged.onnx").stat().st_mtime_ns == built


class Results:
    def __init__(self) -> None:
        self.items: list[tuple[float, UtteranceResult]] = []
        self.lock = threading.Lock()

    def __call__(self, assessment, result: UtteranceResult) -> None:  # noqa: ANN001
        with self.lock:
            self.items.append((time.monotonic(), result))


def test_the_final_is_the_guess_decoded_during_the_hangover(
    moonshine: MoonshineEngine,
) -> None:
    first = telephone(flite("Yes, that is right."))
    second = telephone(espeak("I would like to check the status of my order."))
    # A short pause inside the first turn (the caller goes on), then a real end of turn.
    audio = concat(silence(0.5), first, silence(0.3), second, silence(1.5))
    decoded: list[int] = []
    live = LiveSpeech(
        moonshine, sentiment=lambda text: 0.0, observer=lambda b: decoded.extend(len(a.samples) for a in b)
    )
    results = Results()
    closed_at: list[float] = []
    try:
        session = live.open_call("call-m", 8000, "ulaw", results)
        start = time.monotonic()
        for i, frame in enumerate(audio.frames()):
            # Real time, so the guess races the hangover as on a call.
            delay = start + i * 0.02 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            events = session.feed_frame(Audio(frame, 8000).to_bytes("ulaw"))
            closed_at += [time.monotonic() for e in events if type(e).__name__ == "Utterance"]
        session.close()
        assert live.drain(timeout=30)
    finally:
        live.close()
    finals = [(t, r) for t, r in results.items if r.is_final]
    [(final_t, final)] = finals
    assert {"yes", "right", "status", "order"} <= words_of(final.transcript.text)
    # The final is the last pause's guess, not a decode of its own (the same audio, once), and it
    # arrives soon after the VAD closed the utterance (at once on an idle machine: generous bound).
    assert decoded.count(len(final.audio.resample(16000).samples)) == 1
    assert final_t - closed_at[0] < 1.0


@pytest.mark.parametrize("engine", ["moonshine"])
def test_the_cli_uses_moonshine_for_english_by_default(engine: str, tmp_path: Path) -> None:
    from tests.workers.test_cli import run_cli
    from workers.audio import write_wav

    speech = espeak("Yes, that is correct.").resample(16000)
    write_wav(tmp_path / "a.wav", concat(silence(0.3, 16000), speech))
    proc = run_cli(str(tmp_path / "a.wav"), "--json", env={"CC_ASR_ENGINE": ""})
    assert proc.returncode == 0, proc.stderr
    assert f'"engine": "{engine}"' in proc.stdout and "correct" in proc.stdout.lower()
