"""Transcribe WAV files through the live-call path.

    python -m workers.asr FILE.wav [FILE.wav ...] --json [--engine NAME] [--rate 8000] [--encoding ulaw]

Each file is resampled to a call rate, encoded with the call codec, cut into 20 ms frames and
fed to the same VAD and engine a live call uses. One JSON object per file:
``{"file", "text", "engine", "rtf"}`` (rtf = wall-clock processing time / audio duration).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from workers.asr.batcher import UtteranceBatcher
from workers.asr.pipeline import Recognition, transcribe_recording
from workers.asr.registry import ASR_ENGINES, create_asr_engine
from workers.audio import AudioError, read_wav
from workers.models import ModelNotFound
from workers.settings import SettingsError, SpeechSettings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.asr", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", metavar="FILE.wav")
    parser.add_argument("--json", action="store_true", help="one JSON object per file")
    parser.add_argument(
        "--engine", choices=sorted(ASR_ENGINES), help="default: CC_ASR_ENGINE, else moonshine (English)"
    )
    parser.add_argument(
        "--rate", type=int, choices=(8000, 16000), help="call rate (default: 16000 if the file has it)"
    )
    parser.add_argument("--encoding", choices=("slin16le", "slin16be", "ulaw"), default="slin16le")
    args = parser.parse_args(argv)

    try:
        settings = SpeechSettings.from_env()
        engine = create_asr_engine(settings, args.engine)
    except (ModelNotFound, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine.warm()  # so the first file's rtf measures transcription, not lazy initialisation
    batcher = UtteranceBatcher(engine, settings.asr_batch_seconds) if engine.mode == "batch" else None
    recognition = Recognition(engine, batcher)
    failed = False
    try:
        for path in args.files:
            record: dict[str, object] = {"file": path, "engine": engine.name}
            try:
                audio = read_wav(path)
                started = time.perf_counter()
                results = transcribe_recording(
                    audio, recognition, call_rate=args.rate, encoding=args.encoding
                )
                elapsed = time.perf_counter() - started
                errors = [r.error for r in results if r.error]
                if errors:
                    raise AudioError(errors[0])
                record["text"] = " ".join(r.transcript.text for r in results if r.transcript.text)
                record["rtf"] = round(elapsed / audio.duration_s, 4) if audio.duration_s else 0.0
            except (AudioError, OSError) as exc:
                failed = True
                record.update(text="", rtf=None, error=str(exc))
            if args.json:
                print(json.dumps(record, ensure_ascii=False), flush=True)
            else:
                print(f"{path}: {record.get('error') or record['text']}", flush=True)
    finally:
        if batcher is not None:
            batcher.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
