"""Text sentiment: VADER, extended with a call-centre and Hinglish/Hindi lexicon.

Design constraint: on plain English that contains none of our lexicon entries the
score must equal VADER's compound, because the scorer is compared with VADER on
human-rated English sets. So VADER's own per-word valences are computed exactly as
VADER does, and we only *replace* the valences of tokens our lexicon covers (and
apply Hindi negation/intensifiers, which cannot occur in English text) before
VADER's own normalisation. No match, no change.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    N_SCALAR,
    SentimentIntensityAnalyzer,
    SentiText,
    negated,
)

from voicewatch.sentiment.lexicon import (
    BOOSTERS,
    CONTRASTIVES,
    STANDALONE_BOOSTER_VALENCE,
    VALENCE,
)
from voicewatch.text import CANONICAL, NEGATORS_AFTER

_STRIP = string.punctuation + "\u2018\u2019\u201c\u201d\u2026\u0964\u0965\u00bf\u00a1"
_CLAUSE_END = frozenset(",.;:!?\u2026\u0964\u0965")
POSITIVE_CUTOFF = 0.05
NEGATIVE_CUTOFF = -0.05


@dataclass(frozen=True)
class SentimentResult:
    """Sentiment of one text. `score` is in [-1, 1]; negative means an unhappy caller."""

    text: str
    score: float
    vader: float
    adjusted: bool
    terms: tuple[str, ...]

    @property
    def label(self) -> str:
        if self.score >= POSITIVE_CUTOFF:
            return "positive"
        if self.score <= NEGATIVE_CUTOFF:
            return "negative"
        return "neutral"

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "score": self.score, "label": self.label, "vader": self.vader,
                "adjusted": self.adjusted, "terms": list(self.terms)}


def _key(word: str) -> str:
    k = word.lower().strip(_STRIP).replace("'", "").replace("\u2019", "")
    mapped = CANONICAL.get(k, k)
    return mapped if " " not in mapped else k


def _negated_after(words: list[str], keys: list[str], last: int, window: int = 2) -> bool:
    """Hindi post-negation within `window` words, not across a clause break ("sorry... nahi samjha")."""
    for j in range(last, min(len(keys) - 1, last + window)):
        if words[j] and words[j][-1] in _CLAUSE_END:
            return False
        if keys[j + 1] in NEGATORS_AFTER:
            return True
    return False


@dataclass(frozen=True)
class _Override:
    start: int
    end: int
    valence: float
    phrase: str


class HybridSentimentScorer:
    """VADER plus our lexicon; build once (loading VADER's lexicon takes ~50 ms)."""

    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()
        by_first: dict[str, list[tuple[tuple[str, ...], float]]] = {}
        for phrase, valence in VALENCE.items():
            toks = tuple(_key(t) for t in phrase.split())
            by_first.setdefault(toks[0], []).append((toks, valence))
        for entries in by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._by_first = by_first

    # -- VADER, step by step -------------------------------------------------------
    def _emoji_to_text(self, text: str) -> str:
        # Same conversion VADER's polarity_scores performs, so token positions agree.
        out: list[str] = []
        prev_space = True
        for ch in text:
            if ch in self._vader.emojis:
                if not prev_space:
                    out.append(" ")
                out.append(self._vader.emojis[ch])
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out).strip()

    def _vader_valences(self, sentitext: SentiText) -> list[float]:
        words = sentitext.words_and_emoticons
        sentiments: list[float] = []
        for i, item in enumerate(words):
            if item.lower() in BOOSTER_DICT:
                sentiments.append(0)
                continue
            if i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of":
                sentiments.append(0)
                continue
            sentiments = self._vader.sentiment_valence(0, sentitext, item, i, sentiments)
        return sentiments

    def _compound(self, words: list[str], sentiments: list[float], text: str) -> float:
        checked = self._vader._but_check(list(words), list(sentiments))
        return float(self._vader.score_valence(checked, text)["compound"])

    # -- our lexicon -----------------------------------------------------------------
    def _find_overrides(self, words: list[str], keys: list[str]) -> list[_Override]:
        found: list[_Override] = []
        i = 0
        while i < len(keys):
            match: _Override | None = None
            for toks, valence in self._by_first.get(keys[i], ()):
                n = len(toks)
                if tuple(keys[i:i + n]) != toks:
                    continue
                # A single English word VADER already knows keeps VADER's reading.
                if n == 1 and words[i].lower().strip(_STRIP) in self._vader.lexicon:
                    continue
                match = _Override(i, i + n, valence, " ".join(words[i:i + n]).strip(_STRIP))
                break
            if match:
                found.append(match)
                i = match.end
            else:
                i += 1
        return found

    def _scaled(self, valence: float, words: list[str], keys: list[str], start: int, end: int,
                covered: set[int]) -> float:
        v = valence
        for dist in range(1, 4):
            j = start - dist
            if j < 0 or j in covered:
                break
            scalar = BOOSTER_DICT.get(keys[j], BOOSTERS.get(keys[j], 0.0))
            if scalar:
                scalar = scalar if v > 0 else -scalar
                v += scalar * (1.0, 0.95, 0.9)[dist - 1]
        if negated(keys[max(0, start - 3):start]):
            v *= N_SCALAR
        if _negated_after(words, keys, end - 1):
            v *= N_SCALAR
        return v

    def analyse(self, text: str) -> SentimentResult:
        clean = self._emoji_to_text(text)
        sentitext = SentiText(clean)
        words = list(sentitext.words_and_emoticons)
        base = self._vader_valences(sentitext)
        vader_score = self._compound(words, base, clean)
        keys = [_key(w) for w in words]

        overrides = self._find_overrides(words, keys)
        sentiments = list(base)
        adjusted = False
        covered = {k for o in overrides for k in range(o.start, o.end)}
        for o in overrides:
            for k in range(o.start, o.end):
                sentiments[k] = 0.0
            sentiments[o.start] = self._scaled(o.valence, words, keys, o.start, o.end,
                                               covered - set(range(o.start, o.end)))
            adjusted = True
        terms = [o.phrase for o in overrides]

        for k, key in enumerate(keys):
            if k in covered:
                continue
            if key in STANDALONE_BOOSTER_VALENCE and not any(
                    sentiments[j] or keys[j] in self._by_first for j in range(k + 1, min(len(keys), k + 3))):
                sentiments[k] = STANDALONE_BOOSTER_VALENCE[key]
                terms.append(words[k].strip(_STRIP))
                adjusted = True
            elif base[k] and _negated_after(words, keys, k, window=1):
                # English sentiment word negated the Hindi way: "good nahi hai".
                sentiments[k] = base[k] * N_SCALAR
                adjusted = True
            elif base[k] and k > 0 and keys[k - 1] in BOOSTERS:
                b = BOOSTERS[keys[k - 1]]
                sentiments[k] = base[k] + (b if base[k] > 0 else -b)
                adjusted = True

        if not adjusted:
            return SentimentResult(text, vader_score, vader_score, False, ())
        but_words = words
        if "but" not in (w.lower() for w in words):
            but_words = ["but" if keys[k] in CONTRASTIVES else w for k, w in enumerate(words)]
        score = self._compound(but_words, sentiments, clean)
        return SentimentResult(text, score, vader_score, True, tuple(terms))


@lru_cache(maxsize=1)
def default_scorer() -> HybridSentimentScorer:
    return HybridSentimentScorer()


@lru_cache(maxsize=8192)
def analyse_sentiment(text: str) -> SentimentResult:
    """Sentiment with the evidence used; cached because replays repeat utterances."""
    return default_scorer().analyse(text)


def score_sentiment(text: str) -> float:
    """Sentiment score in [-1, 1] (negative = unhappy)."""
    return analyse_sentiment(text).score
