"""Text normalisation and phrase matching: the one text layer for English and Hinglish.

ASR output arrives in mixed scripts and spellings ("nahin", "nhi", "nahi"), with or
without punctuation. Meanings are written as small phrase patterns, so everything is
reduced to one canonical token stream first; patterns are normalised the same way,
which keeps lexicon files readable ("don't" in a lexicon matches "dont", "don't",
"Don’t" and "do not" in speech). VoiceWatch's signals and the bot's dialog
(pbx.dialog) both read speech through this module, so they read a sentence alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Collection, Iterable

# Indic blocks (Devanagari .. Sinhala) include combining vowel signs that Python's \w
# does not treat as word characters; without them "नहीं" would split mid-word.
# The danda marks (U+0964/5) are sentence punctuation, so they stay out.
_WORD_RE = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0966-\u0DFF])+")
_CLAUSE_SPLIT_RE = re.compile(r"[,.;:!?\u0964\u0965\u2026()\[\]\"]+|\s-\s|\s\u2013\s")
# Expanded before apostrophes are dropped, otherwise "I'll" would become "ill" and
# read as sickness. Negative contractions stay fused ("dont"): negation lists use them.
_CONTRACTIONS = {"ll": "will", "re": "are", "ve": "have", "m": "am", "d": "would"}
_CONTRACTIONS_RE = re.compile(r"'(ll|re|ve|m|d)\b")
# "o.k." would otherwise split into two clauses at its dots.
_OK_RE = re.compile(r"\bo\.\s?k\b\.?")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})

# Romanised Hindi has no standard spelling; folding the common variants means one
# lexicon entry covers them all. Only variants that are not English words are folded.
# fmt: off
CANONICAL: dict[str, str] = {
    "nahin": "nahi", "nhi": "nahi", "nai": "nahi", "nahee": "nahi", "nahii": "nahi", "nahiin": "nahi",
    "thik": "theek", "theekh": "theek", "teek": "theek", "thek": "theek", "thhik": "theek",
    "acha": "accha", "achha": "accha", "achcha": "accha", "achchha": "accha", "accha": "accha",
    "bohot": "bahut", "bahot": "bahut", "bohat": "bahut", "bht": "bahut", "bhot": "bahut",
    "kr": "kar", "kro": "karo", "krna": "karna", "krdo": "kar do", "kardo": "kar do", "kariye": "kijiye",
    "krenge": "karenge", "dijie": "dijiye",
    "plz": "please", "pls": "please", "plis": "please",
    "ok": "okay", "okk": "okay", "okie": "okay", "okey": "okay", "okays": "okay",
    "yea": "yeah", "ya": "yeah", "yah": "yeah", "yep": "yup",
    "insan": "insaan", "admi": "aadmi", "bekar": "bekaar", "bakwaas": "bakwas",
    "paise": "paisa", "paisay": "paisa", "pese": "paisa", "paisey": "paisa",
    "kyun": "kyu", "kyon": "kyu", "kiyu": "kyu",
    "hn": "haan", "han": "haan", "haa": "haan", "haanji": "haan ji", "hanji": "haan ji", "ha": "haan",
    "jee": "ji", "jii": "ji",
    "hain": "hai", "h": "hai",
    "hu": "hoon", "hun": "hoon", "hoo": "hoon", "hoom": "hoon",
    "phirse": "phir se", "fir": "phir", "firse": "phir se", "dubara": "dobara", "doobara": "dobara",
    "mei": "mein",
    "sham": "shaam", "shyam": "shaam", "subha": "subah",
    "galt": "galat", "glat": "galat",
    "chahie": "chahiye", "chaiye": "chahiye",
    "bilkool": "bilkul", "zarur": "zaroor", "jaroor": "zaroor", "jarur": "zaroor",
    "samjha": "samajh", "samjh": "samajh", "samaj": "samajh",
    "dhanyawad": "dhanyavaad", "dhanyavad": "dhanyavaad", "dhanyawaad": "dhanyavaad",
    "shukria": "shukriya", "dimag": "dimaag", "dimaagh": "dimaag",
    "mujhko": "mujhe", "mereko": "mujhe", "muje": "mujhe", "mujhey": "mujhe",
    "sakta": "sakta", "skta": "sakta", "sakti": "sakta", "skti": "sakta", "sakte": "sakta",
    "wala": "wala", "vala": "wala", "wali": "wala", "wale": "wala", "vale": "wala",
    "cannot": "cant", "u": "you", "ur": "your", "r": "are",
}
# fmt: on

# English negates before the phrase ("not upset"); "cannot" is already folded to "cant".
NEGATORS_BEFORE = frozenset({
    "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant",
    "wont", "wouldnt", "shouldnt", "couldnt", "neither", "nor", "without", "hardly", "nobody",
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

    def spans(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        """Token spans ``[start, end)`` of the pattern's match at every token start.

        Unlike `Lexicon.find`, matches may overlap, for callers that weigh competing
        readings themselves (the dialog keeps the longest phrase).
        """
        text, found, offset = self.text, [], 0
        for index, token in enumerate(self.tokens):
            match = pattern.match(text, offset)
            if match and match.end() > offset:
                found.append((index, index + match.group(0).count(" ") + 1))
            offset += len(token) + 1
        return found


def _canon_tokens(fragment: str) -> list[str]:
    out: list[str] = []
    for tok in _WORD_RE.findall(fragment):
        mapped = CANONICAL.get(tok, tok)
        for word in mapped.split(" "):
            # "did not" is one negator, "didnt", as the apostrophe form is: otherwise
            # "I did not" would read as the phrase "I did" plus a stray "not".
            if out and (out[-1], word) in _FUSED:
                out[-1] = _FUSED[(out[-1], word)]
            else:
                out.append(word)
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
    text = _OK_RE.sub("okay", text.replace("'", ""))
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
#   word?       optional word
#   word*       word prefix: "harass*" matches harass, harassment, harassing
#   ~           a gap of zero to three arbitrary words
#   ~~          a gap of zero to six arbitrary words
# Anything else passes through as a regular expression (a few entries use "[sz]" or
# "\d+"), matched on whole words only: "no" never matches "know".

_OPT_WORD_RE = re.compile(r"(?<![^\s(|])([a-z0-9]+)\?(?=\s|$)")
_OPT_GROUP_RE = re.compile(r"\(([^()]*)\)\? ")
_OPT_GROUP_END_RE = re.compile(r" \(([^()]*)\)\?$")
# Whole words only: not a prefix stem ("samjha*"), nor a letter of a regex ("h+m+", "\d").
_ENTRY_WORD_RE = re.compile(r"(?<![^\s(|])[a-z]+(?![^\s)|?])")

# Spellings of the same words. Speech folds the negations, "okay" and "alright" into one
# token ("do not" -> "dont"); it keeps "it's" as "its". A pattern accepts every form, so
# a lexicon may write either and still match what speech reduces to.
# fmt: off
_FUSED_WORDS: tuple[tuple[str, str], ...] = (
    ("dont", "do not"), ("doesnt", "does not"), ("didnt", "did not"), ("cant", "can not"),
    ("wont", "will not"), ("isnt", "is not"), ("arent", "are not"), ("wasnt", "was not"),
    ("werent", "were not"), ("havent", "have not"), ("hasnt", "has not"), ("hadnt", "had not"),
    ("couldnt", "could not"), ("wouldnt", "would not"), ("shouldnt", "should not"),
    ("okay", "o k"), ("alright", "all right"),
)
_IS_WORDS: tuple[tuple[str, str], ...] = (
    ("thats", "that is"), ("its", "it is"), ("whats", "what is"), ("theres", "there is"),
    ("heres", "here is"), ("hes", "he is"), ("shes", "she is"), ("whos", "who is"),
    ("wheres", "where is"), ("everythings", "everything is"),
)
# fmt: on
_FUSED: dict[tuple[str, str], str] = {
    (first, second): fused for fused, split in _FUSED_WORDS for first, second in [split.split(" ")]
}
# "it's not" reaches speech as "its not", "it is not" as "it isnt": one family of three.
_SAME_FAMILIES: tuple[tuple[str, ...], ...] = (
    *_FUSED_WORDS,
    *_IS_WORDS,
    *((f"{split} not", f"{split.removesuffix(' is')} isnt", f"{fused} not") for fused, split in _IS_WORDS),
)
_SAME_AS: dict[str, str] = {form: f"(?:{'|'.join(family)})" for family in _SAME_FAMILIES for form in family}
_SAME_WORDS_RE = re.compile(
    r"(?<![\w\\])(?:" + "|".join(sorted(map(re.escape, _SAME_AS), key=len, reverse=True)) + r")(?!\w)"
)


def _check(entry: str) -> None:
    depth = 0
    for char in entry:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    words = entry.split()
    if depth != 0 or not words or re.search(r"\(\s*\)", entry):
        raise ValueError(f"cannot parse pattern {entry!r}")
    if words[0].startswith("~") or words[-1].startswith("~"):
        raise ValueError(f"pattern {entry!r} must not start or end with a gap")


def pattern_regex(entry: str) -> str:
    """The regular expression (unanchored) for one entry of the pattern syntax above."""
    _check(entry)
    e = unicodedata.normalize("NFKC", entry).translate(_APOSTROPHES).lower()
    e = _CONTRACTIONS_RE.sub(lambda m: " " + _CONTRACTIONS[m.group(1)], e).replace("'", "")
    e = " ".join(e.split())
    # Fold spelling variants inside entries too, word by word, so entries can be
    # written in any common spelling.
    e = _ENTRY_WORD_RE.sub(lambda m: CANONICAL.get(m.group(0), m.group(0)), e)
    e = _OPT_WORD_RE.sub(r"(\1)?", e)
    e = e.replace("~~ ", "\x01").replace("~ ", "\x02")
    # An optional group takes the space after it along, except at the end, where it
    # takes the one before it: "baad mein (call)? (karo)?" then matches a bare "baad mein".
    tail = ""
    while found := _OPT_GROUP_END_RE.search(e):
        tail, e = f"(?: (?:{found.group(1)}))?{tail}", e[: found.start()]
    e = _OPT_GROUP_RE.sub(lambda m: f"(?:(?:{m.group(1)}) )?", e) + tail
    e = re.sub(r"\((?!\?)", "(?:", e)
    e = re.sub(r"(?<=\w)\*", r"\\w*", e)
    e = _SAME_WORDS_RE.sub(lambda m: _SAME_AS[m.group(0)], e)
    e = e.replace("\x01", r"(?:\S+ ){0,6}").replace("\x02", r"(?:\S+ ){0,3}")
    return e


def compile_pattern(entry: str) -> re.Pattern[str]:
    """One entry, matched on whole words of `Normalised.text`; raises ValueError if malformed."""
    return re.compile(rf"(?<!\S)(?:{pattern_regex(entry)})(?!\S)")


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
        body = "|".join(f"(?:{pattern_regex(e)})" for e in self.entries) or r"(?!x)x"
        self._regex = re.compile(rf"(?<!\S)(?:{body})(?!\S)")

    def find(self, norm: Normalised) -> tuple[Match, ...]:
        text = norm.text
        if not text:
            return ()
        found: list[Match] = []
        for m in self._regex.finditer(text):
            if not m.group(0):
                continue
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


@dataclass(frozen=True)
class Negators:
    """Positions of the negators governing a phrase: English ones before it, Hindi ones after."""

    before: tuple[int, ...]
    after: tuple[int, ...]

    def __bool__(self) -> bool:
        return bool(self.before or self.after)


def negators(norm: Normalised, start: int, end: int, *, ignore: Collection[int] = (),
             before: int = 3, after: int = 2) -> Negators:
    """The negators that govern tokens[start:end] within the same clause.

    English negates before the phrase ("not upset"), Hindi after it ("upset nahi").
    Clause boundaries stop the scope: "No, I want a human" is still a request.
    Positions in `ignore` are not negators (a caller's own reading of them wins).
    """
    toks, clauses = norm.tokens, norm.clause_of
    if not toks:
        return Negators((), ())
    return Negators(
        tuple(i for i in range(max(0, start - before), start)
              if clauses[i] == clauses[start] and toks[i] in NEGATORS_BEFORE and i not in ignore),
        tuple(i for i in range(end, min(len(toks), end + after))
              if clauses[i] == clauses[end - 1] and toks[i] in NEGATORS_AFTER and i not in ignore),
    )  # fmt: skip


def is_negated(norm: Normalised, start: int, end: int, before: int = 3, after: int = 2) -> bool:
    """Whether a negator governs tokens[start:end] within the same clause (see `negators`)."""
    return bool(negators(norm, start, end, before=before, after=after))
