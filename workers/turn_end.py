"""Is the caller done? What the words so far say about the end of a turn (pure, no audio).

People answer a complete "yes" in about 0.2 s, and wait through "umm" and "theek hai…" for
the rest. So the live path's end of turn depends on the words, not on silence alone:

- :attr:`TurnEnd.COMPLETE` — the whole utterance is a short answer ("yes", "that's right",
  "haan ji", "no thanks", "ok"): the turn is over after :data:`COMPLETE_AFTER_S` of
  silence, well before the VAD's hangover;
- :attr:`TurnEnd.UNFINISHED` — it trails off (a filler, a conjunction, "…", a comma after
  a word or two): wait :data:`UNFINISHED_HOLD_S` more after the VAD's end for the rest;
- :attr:`TurnEnd.OPEN` — anything else: the VAD's hangover decides, as it always did.

The words are VoiceWatch's own (its affirmations, refusals, thanks and fillers, English and
romanised Hindi), so the bot and VoiceWatch read a "theek hai" the same way.
"""

from __future__ import annotations

import re
from enum import StrEnum

from voicewatch.lexicons import ambiguity
from voicewatch.text import normalise, pattern_regex

# Silence after the last word before a complete answer ends the turn: a comma pause inside
# "yes, that's right" is shorter; a person waits about this long before answering.
COMPLETE_AFTER_S = 0.25
# Extra wait after the VAD's end of an unfinished utterance ("umm", "and…") for the rest.
UNFINISHED_HOLD_S = 0.8


class TurnEnd(StrEnum):
    COMPLETE = "complete"
    UNFINISHED = "unfinished"
    OPEN = "open"


# Short answers beyond single affirmations: "that's right", "yes I do", "no it isn't", courtesy.
_ANSWER_EXTRAS = [
    "(that|thats|that is|it is|its|this is) (right|correct|fine|true|okay|it|all|good|wrong|not right|"
    "not correct)",
    "(yes|no|yeah|nope) (i|we|it|that|you) (do|did|am|are|is|was|have|has|can|will|dont|didnt|isnt|wasnt|"
    "cant|wont)",
    "(please|sir|madam|maam|ji|thank you|thanks|very much|so much|too|as well|go ahead)",
    "(no|nahi) (problem|thanks|thank you|issue|dikkat)",
    "(sounds|looks) (good|fine|great|right)",
    "(hai|hain|haan ji|ji haan|ji nahi|nahi ji)",
]
_ANSWER = "|".join(
    f"(?:{pattern_regex(e)})"
    for e in [*ambiguity.AFFIRM, *ambiguity.DECLINE, *ambiguity.GRATITUDE, *_ANSWER_EXTRAS]
)
_COMPLETE_RE = re.compile(rf"(?:{_ANSWER})(?: (?:{_ANSWER}))*")
_FILLER_RE = re.compile("|".join(f"(?:{pattern_regex(e)})" for e in ambiguity.FILLER))
# Words a finished sentence does not end on: it goes on after them.
_CONTINUES = frozenset(
    "and so but or because cause like the a an to of with for my your in on at if then also is are was were "
    "aur toh to lekin par magar ki ke ka ya phir matlab kyunki jaise".split()
)
_ENDS_ON_SO = {(verb, "so") for verb in ("think", "hope", "guess", "believe", "say", "said")}
_TRAILING_OFF = ("...", "\u2026", "-", "\u2014")
# A comma at the end trails off only after a word or two ("Yeah,", "Haan,"): Moonshine often ends
# a whole sentence with one ("Tomorrow evening after six,"), and holding those cost 0.8 s a turn.
TRAILING_COMMA_MAX_WORDS = 2
# A complete short answer is short: a longer utterance made of such words is a list, not an answer.
MAX_COMPLETE_WORDS = 6


def classify(text: str) -> TurnEnd:
    raw = text.strip()
    norm = normalise(raw)
    if not norm.tokens:
        return TurnEnd.OPEN
    if raw.endswith(_TRAILING_OFF) or (raw.endswith(",") and len(norm.tokens) <= TRAILING_COMMA_MAX_WORDS):
        return TurnEnd.UNFINISHED
    last = norm.tokens[-1]
    continues = last in _CONTINUES and norm.tokens[-2:] not in _ENDS_ON_SO
    if continues or _FILLER_RE.fullmatch(last) or _FILLER_RE.fullmatch(norm.text):
        return TurnEnd.UNFINISHED
    if len(norm.tokens) <= MAX_COMPLETE_WORDS and not norm.question and _COMPLETE_RE.fullmatch(norm.text):
        return TurnEnd.COMPLETE
    return TurnEnd.OPEN
