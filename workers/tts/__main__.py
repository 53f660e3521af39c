"""Synthesise a prompt through the same engines, fallbacks and cache the tts workers use.

python -m workers.tts "Thank you for calling." -o prompt.wav [--rate 8000] [--engine flite]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from workers.audio import write_wav
from workers.models import ModelNotFound
from workers.settings import SettingsError, SpeechSettings
from workers.tts.base import TtsError
from workers.tts.registry import TTS_ENGINES, create_prompt_synthesizer


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.tts", description=__doc__.split("\n\n")[0])
    parser.add_argument("text")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.wav")
    parser.add_argument("--rate", type=int, choices=(8000, 16000), default=8000, help="the call's codec rate")
    parser.add_argument(
        "--engine", choices=sorted(TTS_ENGINES), help="only this engine (default: CC_TTS_ENGINE + fallbacks)"
    )
    args = parser.parse_args(argv)
    try:
        synthesizer = create_prompt_synthesizer(SpeechSettings.from_env())
        started = time.perf_counter()
        prompt = synthesizer.synthesize(args.text, args.rate, args.engine)
    except (ModelNotFound, SettingsError, TtsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_wav(args.output, prompt.audio)
    print(
        json.dumps(
            {
                "file": args.output,
                "engine": prompt.engine,
                "voice": prompt.voice,
                "cached": prompt.cached,
                "seconds": round(prompt.audio.duration_s, 3),
                "synthesis_s": round(time.perf_counter() - started, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
