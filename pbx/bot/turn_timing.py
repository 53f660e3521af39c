"""Where a bot turn's time goes, on pbx's own clock: one JSON line per reply.

Logged at DEBUG on ``pbx.bot.turns`` (nothing is measured or written unless that logger is
enabled: ``python -m benchmarks turn`` enables it). Marks, as ``time.time()``:

- ``heard``: the VAD ended the caller's utterance (the last one before the reply);
- ``understood``: its final transcript reached the call's event loop;
- ``decided``: the dialog chose what to say (the prompt's text is known);
- ``voiced``: the prompt's first audio was ready (from memory, or its first synthesised piece);
- ``sent``: that audio's first frame went out on the line.

The line is written at ``sent``; a reply the caller did not prompt (a no-input reprompt, the
greeting) has no ``heard``.
"""

from __future__ import annotations

import json
import logging
import time

log = logging.getLogger("pbx.bot.turns")


class TurnClock:
    def __init__(self, call_id: str) -> None:
        self._call_id = call_id
        self._marks: dict[str, float] = {}

    def caller(self, mark: str) -> None:
        """``heard``/``understood``: the latest one counts (a turn may merge utterances)."""
        if log.isEnabledFor(logging.DEBUG):
            self._marks[mark] = time.time()

    def bot(self, mark: str, **details: object) -> None:
        """``decided``/``voiced``: the first one since the last reply counts."""
        if log.isEnabledFor(logging.DEBUG) and mark not in self._marks:
            self._marks[mark] = time.time()
            self._marks.update(details)  # type: ignore[arg-type]

    def frame_sent(self) -> None:
        if "voiced" in self._marks:
            marks, self._marks = self._marks, {}
            marks["sent"] = time.time()
            log.debug(json.dumps({"call_id": self._call_id, **marks}))
