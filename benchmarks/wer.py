"""Word error rate of ASR engines on real read speech, through the live path (8 kHz mu-law, VAD, engine).

    python -m benchmarks wer --clips PATH [--engines moonshine,whisper] --json

``PATH`` is a folder of ``NAME.wav`` + ``NAME.txt`` (the words said) pairs, or pocketsphinx's
source archive, whose test data holds real recordings with their transcripts (five LibriVox
sentences, five spoken card hands, "go forward ten meters"): ``pip download --no-deps
--no-binary :all: pocketsphinx==5.1.1`` fetches it (nothing here downloads anything).

Per engine: ``wer`` over all clips (word-level edit distance / reference words, after lower-casing
and dropping punctuation, digits spelt out as words), and ``decode_p50_s``: wall time per clip
from the last frame fed to its final transcript (one call, nothing else running).
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import tarfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workers.asr.batcher import UtteranceBatcher
from workers.asr.pipeline import Recognition, transcribe_recording
from workers.asr.registry import create_asr_engine
from workers.audio import Audio, read_wav
from workers.settings import SpeechSettings

_DIGITS = "zero one two three four five six seven eight nine".split()


@dataclass(frozen=True)
class Clip:
    name: str
    audio: Audio
    reference: str


def normalise(text: str) -> list[str]:
    text = re.sub(r"\d", lambda m: f" {_DIGITS[int(m.group())]} ", text.lower())
    text = text.replace("mr.", "mister").replace("-", " ")
    return re.sub(r"[^a-z' ]+", " ", text).split()


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    row = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hypothesis, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def _from_pocketsphinx(archive: Path) -> list[Clip]:
    clips: list[Clip] = []
    with tarfile.open(archive) as tar:
        members = {m.name.split("/test/data/", 1)[-1]: m for m in tar.getmembers() if "/test/data/" in m.name}

        def read(name: str) -> bytes:
            f = tar.extractfile(members[name])
            assert f is not None
            return f.read()

        def wav(name: str) -> Audio:
            with wave.open(io.BytesIO(read(name))) as w:
                return Audio(np.frombuffer(w.readframes(w.getnframes()), "<i2").copy(), w.getframerate())

        for name in sorted(n for n in members if n.startswith("librivox/") and n.endswith(".txt")):
            clips.append(Clip(name[:-4], wav(name[:-4] + ".wav"), read(name).decode().strip()))
        for line in read("cards/cards.transcription").decode().splitlines():
            found = re.match(r"<s>(.*)</s>\s*\((\d+)\)", line.strip())
            assert found is not None, line
            words, number = found.groups()
            clips.append(Clip(f"cards/{number}", wav(f"cards/{number}.wav"), words.strip()))
        raw = np.frombuffer(read("goforward.raw"), "<i2").copy()
        clips.append(Clip("goforward", Audio(raw, 16000), "go forward ten meters"))
    return clips


def load_clips(path: Path) -> list[Clip]:
    if path.is_file():
        return _from_pocketsphinx(path)
    wavs = sorted(path.glob("*.wav"))
    return [Clip(w.stem, read_wav(w), w.with_suffix(".txt").read_text().strip()) for w in wavs]


def evaluate(engine_name: str, clips: list[Clip], settings: SpeechSettings) -> dict:
    engine = create_asr_engine(settings, engine_name)
    engine.warm()
    batcher = UtteranceBatcher(engine, settings.asr_batch_seconds) if engine.mode == "batch" else None
    recognition = Recognition(engine, batcher)
    errors = words = 0
    decode: list[float] = []
    texts = {}
    try:
        for clip in clips:
            results = transcribe_recording(clip.audio, recognition, call_rate=8000, encoding="ulaw")
            finished = [time.monotonic() - r.ended_at for r in results if r.ended_at]
            text = " ".join(r.transcript.text for r in results if r.transcript.text)
            reference = normalise(clip.reference)
            errors += word_errors(reference, normalise(text))
            words += len(reference)
            decode += finished[-1:]
            texts[clip.name] = text
    finally:
        if batcher is not None:
            batcher.close()
    return {
        "wer": round(errors / words, 3),
        "decode_p50_s": round(statistics.median(decode), 3) if decode else None,
        "texts": texts,
    }


def run(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks wer")
    parser.add_argument(
        "--clips", type=Path, required=True, help="folder of NAME.wav + NAME.txt, or pocketsphinx's sdist"
    )
    parser.add_argument("--engines", default="moonshine,whisper")
    args = parser.parse_args(argv)
    clips = load_clips(args.clips)
    settings = SpeechSettings.from_env()
    result: dict = {"clips": len(clips), "words": sum(len(normalise(c.reference)) for c in clips)}
    for name in args.engines.split(","):
        result[name] = evaluate(name, clips, settings)
    return result
