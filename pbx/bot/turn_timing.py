"""Where a bot turn's time goes, on pbx's own clock.

Marks, as ``time.time()``:

- ``spoke``: the caller's last voiced audio, on the line (the utterance's end on the caller's
  audio clock, told when the VAD or the early answer at a pause closed it);
- ``heard``: the VAD ended the caller's utterance (the last one before the reply);
- ``understood``: its final transcript reached the call's event loop;
- ``decided``: the dialog chose what to say (the prompt's text is known);
- ``voiced``: the prompt's first audio was ready (from memory, or its first synthesised piece);
- ``sent``: that audio's first frame went out on the line.

At ``sent`` a reply the caller prompted (one with a ``heard``) tells ``on_turn`` its latency,
``sent - spoke`` (``sent - heard`` if the end of speech was not told): the silence the caller
waited through, ``cc_bot_turn_latency_seconds``, as ``python -m benchmarks turn`` measures it on
the caller's line. A reply the caller did not prompt (a no-input reprompt, the greeting) has no
``heard`` and is not a turn. With the
``pbx.bot.turns`` logger at DEBUG (``python -m benchmarks turn`` enables it) every mark goes
to one JSON line per reply too.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

log = logging.getLogger("pbx.bot.turns")


class TurnClock:
    def __init__(self, call_id: str, on_turn: Callable[[float], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self._call_id = call_id
        self._on_turn = on_turn
        self._clock = clock
        self._marks: dict[str, float] = {}

    def speech_ended(self, ago_s: float) -> None:
        """The caller's last voiced audio was ``ago_s`` seconds ago (the latest utterance counts)."""
        self._marks["spoke"] = self._clock() - max(0.0, ago_s)

    def caller(self, mark: str) -> None:
        """``heard``/``understood``: the latest one counts (a turn may merge utterances)."""
        self._marks[mark] = self._clock()

    def bot(self, mark: str, **details: object) -> None:
        """``decided``/``voiced``: the first one since the last reply counts."""
        if mark not in self._marks:
            self._marks[mark] = self._clock()
            if log.isEnabledFor(logging.DEBUG):
                self._marks.update(details)  # type: ignore[arg-type]

    def frame_sent(self) -> None:
        if "voiced" not in self._marks:
            return
        marks, self._marks = self._marks, {}
        marks["sent"] = self._clock()
        if "heard" in marks and self._on_turn is not None:
            self._on_turn(marks["sent"] - marks.get("spoke", marks["heard"]))
        if log.isEnabledFor(logging.DEBUG):
            log.debug(json.dumps({"call_id": self._call_id, **marks}))
