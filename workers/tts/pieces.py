"""Where a prompt may be cut so its first audio can play while the rest is synthesised.

Sentences, as piper itself synthesises them (one ONNX run each); and long sentences near the
start are cut at their clause marks too, because the caller waits for the first piece only:
"Hello Asha, | this is an automated call about your order A1234: | a steel water bottle ..."
starts after ~50 ms of synthesis instead of ~550 ms (piper 1.8, one thread). Each piece must
be ready before the ones before it have played, or the line goes quiet mid-prompt (and a
caller takes a second's silence for their turn): the second piece is made while the first,
short one plays, so it is a clause, not the rest of a long sentence (9 words take ~0.2 s
against the first piece's ~0.9 s of audio, room for a machine four times slower); once a few
seconds of audio are queued, whole sentences are made in time. The cuts fall where a speaker pauses anyway,
and every piece begins and ends in the engine's own silence, so the joins are not heard.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_MARK = re.compile(r"(?<=[,;:])\s+")
# A sentence shorter than this is quick to synthesise whole (~0.15 s with piper on one thread).
LONG_SENTENCE_WORDS = 8
MIN_PIECE_WORDS = 2
# Once this many words are queued ahead (~4 s of speech), whole sentences are made in time.
ENOUGH_QUEUED_WORDS = 12


def speech_pieces(text: str) -> list[str]:
    """``text`` (normalised) cut into pieces to synthesise one after the other, in order."""
    pieces: list[str] = []
    queued_words = 0  # words in the pieces before: how much audio will play while this one is made
    for sentence in _SENTENCE_END.split(text):
        words = len(sentence.split())
        if not words:
            continue
        if queued_words >= ENOUGH_QUEUED_WORDS or words < LONG_SENTENCE_WORDS:
            pieces.append(sentence)
        else:
            pieces.extend(_clauses(sentence))
        queued_words += words
    return pieces


def _clauses(sentence: str) -> list[str]:
    clauses: list[str] = []
    for clause in _CLAUSE_MARK.split(sentence):
        if clauses and len(clauses[-1].split()) < MIN_PIECE_WORDS:
            clauses[-1] = f"{clauses[-1]} {clause}"  # "Yes, | I will..." is not worth its own piece
        else:
            clauses.append(clause)
    return clauses
