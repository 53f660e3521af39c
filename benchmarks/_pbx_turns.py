"""``python -m benchmarks._pbx_turns``: ``python -m pbx`` with its turn timings written down.

Each bot reply's marks (:mod:`pbx.bot.turn_timing`: heard, understood, decided, voiced, sent)
go as one JSON line to ``$BENCH_TURNS_FILE``; ``python -m benchmarks turn`` reads them.
"""

from __future__ import annotations

import logging
import os
import sys


def install() -> None:
    out = os.environ.get("BENCH_TURNS_FILE")
    if not out:
        return
    handler = logging.FileHandler(out)
    handler.setFormatter(logging.Formatter("%(message)s"))
    turns = logging.getLogger("pbx.bot.turns")
    turns.setLevel(logging.DEBUG)
    turns.addHandler(handler)
    turns.propagate = False  # not in pbx's own log


if __name__ == "__main__":
    install()
    from pbx.__main__ import main

    sys.exit(main())
