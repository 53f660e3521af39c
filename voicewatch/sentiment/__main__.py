"""`python -m voicewatch.sentiment FILE [--json]`: score one text per line.

With --json each input line gives one JSON object line: {"text", "score", "label", ...};
blank lines are echoed as neutral so output lines stay aligned with input lines.
FILE may be "-" for standard input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from voicewatch.sentiment.scorer import analyse_sentiment


def _open(path: str) -> TextIO:
    return sys.stdin if path == "-" else open(path, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voicewatch.sentiment",
                                     description="Score call-centre text sentiment in [-1, 1].")
    parser.add_argument("file", help="text file, one text per line ('-' for stdin)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per line")
    args = parser.parse_args(argv)
    try:
        stream = _open(args.file)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    with stream:
        for raw in stream:
            text = raw.rstrip("\r\n")
            result = analyse_sentiment(text)
            if args.json:
                print(json.dumps({"text": text, "score": round(result.score, 4), "label": result.label,
                                  "vader": round(result.vader, 4), "terms": list(result.terms)},
                                 ensure_ascii=False))
            else:
                print(f"{result.score:+.3f}  {result.label:<8}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
