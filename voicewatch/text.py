"""Text normalisation and phrase matching shared by every text signal.

ASR output arrives in mixed scripts and spellings ("nahin", "nhi", "nahi"), with or
without punctuation. Signals match *meanings* written as small phrase patterns, so
everything is reduced to one canonical token stream first; patterns are normalised
the same way, which keeps lexicon files readable ("don't" in a lexicon matches
"dont", "don't" and "Don’t" in speech).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

# Indic blocks (Devanagari .. Sinhala) include combining vowel signs that Python's \w
# does not treat as word characters; without them "नहीं" would split mid-word.
# The danda marks (U+0964/5) are sentence punctuation, so they stay out.
_WORD_RE = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0966-\u0DFF])+")
_CLAUSE_SPLIT_RE = re.compile(r"[,.;:!?\u0964\u0965\u2026()\[\]\"]+|\s-\s|\s\u2013\s")
# Expanded before apostrophes are dropped, otherwise "I'll" would become "ill" and
# read as sickness. Negative contractions stay fused ("dont"): negation lists use them.
_CONTRACTIONS = {"ll": "will", "re": "are", "ve": "have", "m": "am", "d": "would"}
_CONTRACTIONS_RE = re.compile(r"'(ll|re|ve|m|d)\b")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})

# Romanised Hindi has no standard spelling; folding the common variants means one
# lexicon entry covers them all. Only variants that are not English words are folded.
CANONICAL: dict[str, str] = {
    "nahin": "nahi", "nhi": "nahi", "nai": "nahi", "nahee": "nahi", "nahii": "nahi",
    "thik": "theek", "theekh": "theek", "teek": "theek",
    "acha": "accha", "achha": "accha", "achcha": "accha", "achchha": "accha", "accha": "accha",
    "bohot": "bahut", "bahot": "bahut", "bohat": "bahut", "bht": "bahut", "bhot": "bahut",
    "kr": "kar", "kro": "karo", "krna": "karna", "krdo": "kardo",
    "plz": "please", "pls": "please", "plis": "please",
    "ok": "okay", "okk": "okay", "okie": "okay", "okey": "okay",
    "insan": "insaan", "admi": "aadmi", "bekar": "bekaar", "bakwaas": "bakwas",
    "paise": "paisa", "paisay": "paisa", "pese": "paisa",
    "kyun": "kyu", "kyon": "kyu", "kiyu": "kyu",
    "hn": "haan", "han": "haan", "haa": "haan", "haanji": "haan ji", "ha": "haan",
    "dhanyawad": "dhanyavaad", "dhanyavad": "dhanyavaad", "dhanyawaad": "dhanyavaad",
    "shukria": "shukriya", "dimag": "dimaag", "dimaagh": "dimaag",
    "mujhko": "mujhe", "mereko": "mujhe", "muje": "mujhe",
    "sakta": "sakta", "skta": "sakta", "sakti": "sakta", "skti": "sakta",
    "wala": "wala", "vala": "wala", "wali": "wala", "wale": "wala", "vale": "wala",
    "u": "you", "ur": "your", "r": "are",
}

NEGATORS_BEFORE = frozenset({
    "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant",
    "cannot", "wont", "wouldnt", "shouldnt", "neither", "nor", "without", "hardly", "nobody",
    "aint", "havent", "hasnt", "hadnt", "neednt", "nothing", "none", "nope",
})
# Hindi negates after the verb/adjective ("upset nahi hoon"). "na" is left out on
# purpose: it is mostly an emphatic tag ("bola na", "bataya na"), not a negation.
NEGATORS_AFTER = frozenset({"nahi", "mat", "नहीं", "नही", "मत"})


@dataclass(frozen=True)
class Normalised:
    """A piece of speech reduced to canonical tokens plus the cues punctuation carried."""

    raw: str
    tokens: tuple[str, ...]
    clause_of: tuple[int, ...]
    ellipsis: bool
    question: bool
    exclamations: int

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)


def _canon_tokens(fragment: str) -> list[str]:
    out: list[str] = []
    for tok in _WORD_RE.findall(fragment):
        mapped = CANONICAL.get(tok, tok)
        out.extend(mapped.split(" "))
    return out


@lru_cache(maxsize=4096)
def normalise(raw: str) -> Normalised:
    """Lower-case, fold unicode and spelling variants, keep clause boundaries.

    Cached because the monitor, the sentiment scorer and several signals all look at
    the same utterance; the result is immutable so sharing it is safe.
    """
    text = unicodedata.normalize("NFKC", raw).translate(_APOSTROPHES).lower()
    ellipsis = "..." in text or "\u2026" in text or ".." in text
    question = "?" in text
    exclamations = text.count("!")
    text = _CONTRACTIONS_RE.sub(lambda m: " " + _CONTRACTIONS[m.group(1)], text)
    text = text.replace("'", "")
    tokens: list[str] = []
    clause_of: list[int] = []
    for clause_id, clause in enumerate(_CLAUSE_SPLIT_RE.split(text)):
        toks = _canon_tokens(clause)
        tokens.extend(toks)
        clause_of.extend([clause_id] * len(toks))
    return Normalised(raw, tuple(tokens), tuple(clause_of), ellipsis, question, exclamations)


# --- phrase patterns -------------------------------------------------------------
#
# A lexicon entry is a phrase with a tiny pattern syntax, so one line can stand for a
# family of paraphrases without writing raw regular expressions:
#   (a|b c)     alternatives (each may be several words)
#   (a|b)?      optional group (the following space is optional with it)
#   word*       word prefix: "harass*" matches harass, harassment, harassing
#   ~           a gap of zero to three arbitrary words
#   ~~          a gap of zero to six arbitrary words

_OPT_GROUP_RE = re.compile(r"\(([^()]*)\)\? ")
_OPT_GROUP_END_RE = re.compile(r" \(([^()]*)\)\?$")


def _entry_to_regex(entry: str) -> str:
    e = unicodedata.normalize("NFKC", entry).translate(_APOSTROPHES).lower()
    e = _CONTRACTIONS_RE.sub(lambda m: " " + _CONTRACTIONS[m.group(1)], e).replace("'", "")
    e = " ".join(e.split())
    # Fold spelling variants inside entries too, word by word, so entries can be
    # written in any common spelling.
    e = re.sub(r"[a-z]+", lambda m: CANONICAL.get(m.group(0), m.group(0)), e)
    e = e.replace("~~ ", "\x01").replace("~ ", "\x02")
    e = _OPT_GROUP_END_RE.sub(lambda m: f"(?: (?:{m.group(1)}))?", e)
    e = _OPT_GROUP_RE.sub(lambda m: f"(?:(?:{m.group(1)}) )?", e)
    e = re.sub(r"\((?!\?)", "(?:", e)
    e = re.sub(r"(?<=\w)\*", r"\\w*", e)
    e = e.replace("\x01", r"(?:\S+ ){0,6}").replace("\x02", r"(?:\S+ ){0,3}")
    return e


@dataclass(frozen=True)
class Match:
    """One lexicon hit: the words that matched and where, in token positions."""

    phrase: str
    start: int
    end: int
    negated: bool


class Lexicon:
    """A named set of phrase patterns with one meaning, matched on word boundaries.

    All entries compile into one alternation so a lexicon costs one regex scan per
    utterance, which keeps the per-event budget small however many synonyms it has.
    """

    def __init__(self, name: str, entries: Iterable[str], *, negatable: bool = True) -> None:
        self.name = name
        self.entries: tuple[str, ...] = tuple(dict.fromkeys(e for e in entries if e.strip()))
        self.negatable = negatable
        body = "|".join(f"(?:{_entry_to_regex(e)})" for e in self.entries) or r"(?!x)x"
        self._regex = re.compile(rf"(?<!\S)(?:{body})(?!\S)")

    def find(self, norm: Normalised) -> tuple[Match, ...]:
        text = norm.text
        if not text:
            return ()
        found: list[Match] = []
        for m in self._regex.finditer(text):
            start = text.count(" ", 0, m.start())
            end = start + m.group(0).count(" ") + 1
            negated = self.negatable and is_negated(norm, start, end)
            found.append(Match(m.group(0), start, end, negated))
        return tuple(found)

    def affirmed(self, norm: Normalised) -> tuple[Match, ...]:
        """Matches that are not negated ("I am not upset" does not count as upset)."""
        return tuple(m for m in self.find(norm) if not m.negated)

    def __repr__(self) -> str:
        return f"Lexicon({self.name!r}, {len(self.entries)} entries)"


def is_negated(norm: Normalised, start: int, end: int, before: int = 3, after: int = 2) -> bool:
    """Whether a negator governs tokens[start:end] within the same clause.

    English negates before the phrase ("not upset"), Hindi after it ("upset nahi").
    Clause boundaries stop the scope: "No, I want a human" is still a request.
    """
    toks, clauses = norm.tokens, norm.clause_of
    if not toks:
        return False
    clause = clauses[start]
    for i in range(max(0, start - before), start):
        if clauses[i] == clause and toks[i] in NEGATORS_BEFORE:
            return True
    for i in range(end, min(len(toks), end + after)):
        if clauses[i] == clauses[end - 1] and toks[i] in NEGATORS_AFTER:
            return True
    return False
