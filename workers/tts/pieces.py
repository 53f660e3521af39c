"""Where a prompt may be cut so its first audio can play while the rest is synthesised.

Sentences, as piper itself synthesises them (one ONNX run each); and a long first sentence
is cut once more at its first clause mark, because the caller waits for the first piece
only: "Hello Asha, | this is an automated call about your order ..." starts after ~50 ms of
synthesis instead of ~550 ms (piper 1.8, one thread). Later pieces are made faster than the
earlier ones play. The cut falls where a speaker pauses anyway, and every piece begins and
ends in the engine's own silence, so the joins are not heard.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_MARK = re.compile(r"(?<=[,;:])\s+")
# A first sentence shorter than this is quick to synthesise whole.
LONG_FIRST_SENTENCE_WORDS = 8
MIN_FIRST_PIECE_WORDS = 2


def speech_pieces(text: str) -> list[str]:
    """``text`` (normalised) cut into pieces to synthesise one after the other, in order."""
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    if not sentences:
        return []
    first = sentences[0]
    if len(first.split()) >= LONG_FIRST_SENTENCE_WORDS:
        clauses = _CLAUSE_MARK.split(first, maxsplit=1)
        if len(clauses) == 2 and len(clauses[0].split()) >= MIN_FIRST_PIECE_WORDS and clauses[1].strip():
            return [clauses[0], clauses[1], *sentences[1:]]
    return sentences
