"""Moonshine base-en (onnxruntime), offline, from the ONNX copy of the weights ``moonshine-cpp`` ships.

Unlike Whisper, Moonshine's encoder takes the audio as long as it is (no 30 s window), so a
2 s utterance costs a 2 s decode and re-decoding the audio so far during speech is cheap:
that is what lets the live path keep the transcript ready when the caller stops. So it is
an utterance engine fed one utterance at a time (no packing to gain from) and the live path
asks it for partials and a speculative final while the caller talks (see pipeline.py).

Trailing silence is trimmed before decoding: Moonshine returns nothing for a clip that ends
in about a second of silence, and decoding silence is wasted time anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from workers.asr.base import AsrError, EngineMode, Transcript, Word
from workers.audio import Audio

log = logging.getLogger(__name__)

RATE = 16000
BOS, EOS = 1, 2
WORD_START = "\u2581".encode()  # sentencepiece's mark on a token that begins a word
# Moonshine's own bound on the output: about 6 tokens a second of speech (a runaway decode
# repeating itself stops there).
TOKENS_PER_S = 6.5
MIN_TOKENS = 8
MIN_UTTERANCE_S = 0.1
# Trimming: a 20 ms block is speech if its RMS is within this many dB of the clip's loudest
# block; keep this much after the last one (word endings are quiet).
TRIM_BELOW_PEAK_DB = 35.0
TRIM_KEEP_S = 0.2
LAYERS, HEADS, HEAD_DIM = 8, 8, 52


def trim_silence(samples: np.ndarray, rate: int = RATE) -> np.ndarray:
    """The clip without its quiet tail (and without a long quiet head): int16 or float samples."""
    block = rate // 50
    n = len(samples) // block
    if n == 0:
        return samples
    x = samples[: n * block].astype(np.float32).reshape(n, block)
    power = (x * x).mean(axis=1) + 1e-9
    loud = np.flatnonzero(power >= power.max() * 10 ** (-TRIM_BELOW_PEAK_DB / 10))
    keep = int(TRIM_KEEP_S * rate)
    start = max(0, int(loud[0]) * block - keep)
    end = min(len(samples), (int(loud[-1]) + 1) * block + keep)
    return samples[start:end]


class BinTokenizer:
    """moonshine.cpp's ``tokenizer.bin``: token id = position; each entry length-prefixed."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        self.tokens: list[bytes] = []
        i = 0
        while i < len(data):
            n = data[i]
            i += 1
            if n >= 128:  # two-byte length
                n = data[i] * 128 + n - 128
                i += 1
            self.tokens.append(data[i : i + n])
            i += n

    def words(self, ids: Sequence[int], probabilities: Sequence[float]) -> list[tuple[str, float]]:
        """The words ``ids`` spell, each with a confidence: the geometric mean of the probabilities
        of its tokens. Babble the model turns into words (noise shaped like speech) comes out
        with low ones, so the dialog can treat it as not understood (min_asr_confidence)."""
        found: list[tuple[bytes, list[float]]] = []
        for i, p in zip(ids, probabilities, strict=True):
            piece = self.tokens[i] if EOS < i < len(self.tokens) else b""
            if not found or piece.startswith(WORD_START):
                found.append((b"", []))
            text, logs = found[-1]
            found[-1] = (text + piece, [*logs, float(np.log(max(p, 1e-12)))])
        spelled = [(self._text(raw), logs) for raw, logs in found]
        return [(text, round(float(np.exp(np.mean(logs))), 4)) for text, logs in spelled if text]

    @staticmethod
    def _text(raw: bytes) -> str:
        return raw.decode("utf-8", errors="replace").replace("\u2581", " ").strip()

    def decode(self, ids: Sequence[int]) -> str:
        return self._text(b"".join(self.tokens[i] for i in ids if 0 <= i < len(self.tokens) and i > EOS))


class MoonshineEngine:
    name: str = "moonshine"
    mode: EngineMode = "batch"
    sample_rates: tuple[int, ...] = (RATE,)
    # No window to fill: one utterance a pass is as cheap per second as several, and sooner.
    packs_utterances: bool = False
    # A decode costs a fraction of the audio's length: the live path decodes during speech.
    decodes_during_speech: bool = True

    def __init__(self, model_dir: Path, *, threads: int = 1) -> None:
        import onnxruntime as ort

        self.model_dir = model_dir
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers = ["CPUExecutionProvider"]
        self._encoder = ort.InferenceSession(
            str(model_dir / "encoder_model.onnx"), options, providers=providers
        )
        self._decoder = ort.InferenceSession(
            str(model_dir / "decoder_model_merged.onnx"), options, providers=providers
        )
        self._tokenizer = BinTokenizer(model_dir / "tokenizer.bin")
        # onnxruntime sessions run concurrently from several threads: the live path's ASR
        # threads share this one instance (one copy of the weights a process).
        self._outputs = [o.name for o in self._decoder.get_outputs()]

    def open_stream(self, sample_rate: int):  # noqa: ANN201 - batch engine
        raise AsrError("moonshine is an utterance engine: the live path feeds it whole utterances")

    def warm(self) -> None:
        rng = np.random.default_rng(0)
        tone = np.sin(np.arange(RATE) * 2 * np.pi * 220 / RATE) * 3000 + rng.normal(0, 300, RATE)
        self.transcribe_many([Audio(tone.astype(np.int16), RATE)])

    def transcribe_many(self, utterances: Sequence[Audio]) -> list[Transcript]:
        out = []
        for audio in utterances:
            if audio.sample_rate != RATE:
                raise AsrError(f"moonshine takes {RATE} Hz audio, not {audio.sample_rate}")
            samples = trim_silence(audio.to_float())
            if len(samples) < MIN_UTTERANCE_S * RATE:
                out.append(Transcript.empty(self.name))
                continue
            tokens, probabilities = self._generate(samples)
            text = self._tokenizer.decode(tokens)
            duration = len(samples) / RATE
            # No word timings from this model: words share the utterance evenly (for display only).
            spoken = self._tokenizer.words(tokens, probabilities)
            step = duration / max(1, len(spoken))
            words = tuple(
                Word(w, conf, round(i * step, 3), round((i + 1) * step, 3))
                for i, (w, conf) in enumerate(spoken)
            )
            out.append(Transcript(text=text, words=words, is_final=True, engine=self.name))
        return out

    def _generate(self, samples: np.ndarray) -> tuple[list[int], list[float]]:
        """The greedy decode's tokens, and the probability the model gave each one when it chose it."""
        hidden = self._encoder.run(None, {"input_values": samples[None, :].astype(np.float32)})[0]
        limit = max(MIN_TOKENS, int(len(samples) / RATE * TOKENS_PER_S))
        empty = np.zeros((1, HEADS, 0, HEAD_DIM), dtype=np.float32)
        past = {
            f"past_key_values.{layer}.{kind}.{kv}": empty
            for layer in range(LAYERS)
            for kind in ("decoder", "encoder")
            for kv in ("key", "value")
        }
        tokens = [BOS]
        probabilities: list[float] = []
        use_cache = False
        for _ in range(limit):
            feeds = {
                "input_ids": np.array([[tokens[-1]]], dtype=np.int64),
                "encoder_hidden_states": hidden,
                "use_cache_branch": np.array([use_cache]),
                **past,
            }
            outputs = self._decoder.run(self._outputs, feeds)
            logits = outputs[0][0, -1]
            token = int(logits.argmax())
            if token == EOS:
                break
            tokens.append(token)
            probabilities.append(1.0 / float(np.exp(logits - logits[token]).sum()))  # its softmax
            for name, value in zip(self._outputs[1:], outputs[1:], strict=True):
                key = name.replace("present.", "past_key_values.")
                # The encoder's keys/values are computed on the first step only: later steps
                # (the cache branch) hand back nothing new for them.
                if ".encoder." in key and use_cache:
                    continue
                past[key] = value
            use_cache = True
        return tokens[1:], probabilities
