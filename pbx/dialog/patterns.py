"""A tiny phrase-pattern language for lexicons, compiled to regexes over canonical tokens.

Lexicons list meanings as readable phrases rather than regexes:

* ``call me later``        words, matched on whole tokens only ("no" never matches "know");
* ``(talk|speak) to``      alternatives, each may be several words;
* ``(me)?`` or ``please?`` an optional group or word;
* ``~``                    a gap of up to three arbitrary tokens ("deliver ~ instead").

Each word goes through :func:`normalise`, so lexicon spelling variants and contractions
("don't", "thik") are folded exactly as speech is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pbx.dialog.normalise import normalise

_ELEMENT_RE = re.compile(r"\(([^()]*)\)(\?)?|(~)|([^\s()~?]+)(\?)?")
_GAP = r"(?:\S+ ){0,3}?"


def _words(text: str) -> str:
    tokens = normalise(text)
    if not tokens:
        raise ValueError(f"pattern part {text!r} has no words")
    return re.escape(" ".join(tokens)) + " "


def compile_pattern(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for match in _ELEMENT_RE.finditer(pattern):
        if pattern[position : match.start()].strip():
            raise ValueError(f"cannot parse {pattern!r} near {pattern[position:]!r}")
        position = match.end()
        group, group_optional, gap, word, word_optional = match.groups()
        if gap:
            parts.append(_GAP)
        elif group is not None:
            alternatives = "|".join(_words(alt) for alt in group.split("|"))
            parts.append(f"(?:{alternatives}){'?' if group_optional else ''}")
        else:
            parts.append(f"(?:{_words(word)}){'?' if word_optional else ''}")
    if pattern[position:].strip() or not parts:
        raise ValueError(f"cannot parse {pattern!r}")
    if parts[0] == _GAP or parts[-1] == _GAP:
        raise ValueError(f"pattern {pattern!r} must not start or end with a gap")
    # Anchored at a token start; the matched text always ends with the token's space.
    return re.compile(r"(?<![^ ])" + "".join(parts))


@dataclass(frozen=True)
class TokenText:
    """Tokens joined for regex search, with a map from character offsets back to tokens."""

    tokens: tuple[str, ...]
    text: str
    starts: tuple[int, ...]

    @classmethod
    def of(cls, tokens: tuple[str, ...]) -> TokenText:
        starts: list[int] = []
        offset = 0
        for token in tokens:
            starts.append(offset)
            offset += len(token) + 1
        return cls(tokens, "".join(f"{t} " for t in tokens), tuple(starts))

    def spans(self, regex: re.Pattern[str]) -> list[tuple[int, int]]:
        """Token spans ``[start, end)`` of every non-empty match, found at each token start."""
        found: list[tuple[int, int]] = []
        for index, offset in enumerate(self.starts):
            match = regex.match(self.text, offset)
            if match and match.end() > offset:
                end = self.text.count(" ", 0, match.end())
                found.append((index, end))
        return found
