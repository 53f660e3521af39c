"""Deterministic intent classification of one customer reply (English and Hinglish).

How a reply is read:

1. normalise to canonical tokens with :mod:`voicewatch.text` (the text layer VoiceWatch
   reads the same call with), collapse stutters;
2. find every lexicon phrase, then keep the longest non-overlapping ones, so "no
   problem" beats "no" and "wrong number" beats "wrong";
3. apply negation (voicewatch.text's negators, within a clause) with words no phrase
   claimed: "not okay" / "theek nahi" flip yes to no, "busy nahi hoon" cancels a callback;
4. decide by precedence, not by vote: compliance and routing intents first (an opt-out
   inside "no, and don't call me again" must never be lost), then the specific
   requests, then hesitation, then plain yes/no.

The confidence is the best phrase weight scaled by how much of the reply the lexicon
explained: a "yes" buried in a long unexplained sentence is a weak yes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from pbx.dialog.lexicon import FILLERS, HESITATION, INTENT_CUES, Cue
from pbx.dialog.vocabulary import Intent
from voicewatch.text import NEGATORS_AFTER, NEGATORS_BEFORE, Normalised, compile_pattern, negators, normalise

__all__ = ["DEFAULT_CLASSIFIER", "Intent", "IntentClassifier", "IntentResult", "classify", "classify_dtmf"]

# Intents that win whenever present: acting on anything else would break a legal duty
# (opt-out) or keep talking to the wrong person.
_OVERRIDING = (Intent.OPT_OUT, Intent.WRONG_NUMBER, Intent.HUMAN_REQUEST)
# Specific requests beat yes/no ("no, call me later" is a callback); ties go to the earlier one.
_SPECIFIC = (
    Intent.NEGOTIATION,
    Intent.ALREADY_PAID,
    Intent.CANCEL_REQUEST,
    Intent.CHANGE_REQUEST,
    Intent.CALLBACK_REQUEST,
    Intent.REPEAT_REQUEST,
)
_POLAR = (Intent.YES, Intent.NO)
# Rank used when two phrases of equal length overlap; None stands for hesitation.
_RANK: dict[Intent | None, int] = {
    intent: rank for rank, intent in enumerate((*_OVERRIDING, *_SPECIFIC, None, *_POLAR))
}

# A reply the lexicon explains only in part keeps this share of its phrase weight; the
# rest scales with coverage. Yes/no words are often mere discourse markers ("okay so what
# is this about, I got no message" is not a yes), multiword requests ("remove my number")
# are not, so the latter lose little in a long sentence.
_COVERAGE_FLOOR_POLAR = 0.4
_COVERAGE_FLOOR_REQUEST = 0.8
# Saying both yes and no ("haan... nahi nahi") is itself a sign of doubt.
_CONFLICT_PENALTY = 0.75
# A negator the lexicon also reads as a one-word "no" may still negate its neighbour
# ("theek nahi", "never cancel it"), except the English interjections: "no call me
# later" is an answer and then a request, whatever the punctuation.
_BARE_NEGATORS = (NEGATORS_BEFORE | NEGATORS_AFTER) - {"no", "nope"}


@dataclass(frozen=True)
class IntentResult:
    intent: Intent
    confidence: float
    # The phrases (canonical form) that decided it, for logs and the agent's screen-pop.
    matched: tuple[str, ...]


@dataclass(frozen=True)
class _CompiledCue:
    intent: Intent | None
    cue: Cue
    regex: re.Pattern[str]


@dataclass(frozen=True)
class _Match:
    intent: Intent | None
    start: int
    end: int
    weight: float
    text: str
    negatable: bool

    def overlaps(self, other: _Match) -> bool:
        return self.start < other.end and other.start < self.end


def _collapse_repeats(norm: Normalised) -> Normalised:
    # ASR stutters and emphatic doubling ("no no", "haan haan") mean the same as once.
    keep = [i for i, t in enumerate(norm.tokens) if i == 0 or t != norm.tokens[i - 1]]
    tokens, clauses = tuple(norm.tokens[i] for i in keep), tuple(norm.clause_of[i] for i in keep)
    return replace(norm, tokens=tokens, clause_of=clauses)


class IntentClassifier:
    def __init__(
        self,
        intent_cues: Mapping[Intent, Sequence[Cue]] = INTENT_CUES,
        hesitation: Sequence[Cue] = HESITATION,
        fillers: Iterable[str] = FILLERS,
    ) -> None:
        compiled = [
            _CompiledCue(i, c, compile_pattern(c.pattern)) for i, cs in intent_cues.items() for c in cs
        ]
        compiled += [_CompiledCue(None, c, compile_pattern(c.pattern)) for c in hesitation]
        self._cues = tuple(compiled)
        self._fillers = frozenset(fillers)

    def classify(self, text: str) -> IntentResult:
        norm = _collapse_repeats(normalise(text))
        tokens = norm.tokens
        if not tokens:
            return IntentResult(Intent.UNKNOWN, 0.0, ())
        content = [i for i, t in enumerate(tokens) if t not in self._fillers] or list(range(len(tokens)))
        matches = self._negate(norm, self._longest_first(self._candidates(norm, content)))
        covered = {i for m in matches for i in range(m.start, m.end)}
        coverage = len(covered.intersection(content)) / len(content)
        return self._decide(matches, coverage)

    def classify_dtmf(self, digit: str, mapping: Mapping[str, Intent]) -> IntentResult:
        intent = mapping.get(digit)
        if intent is None:
            return IntentResult(Intent.UNKNOWN, 0.0, (f"dtmf:{digit}",))
        return IntentResult(intent, 1.0, (f"dtmf:{digit}",))

    def _candidates(self, norm: Normalised, content: list[int]) -> list[_Match]:
        tokens = norm.tokens
        found: list[_Match] = []
        for compiled in self._cues:
            for start, end in norm.spans(compiled.regex):
                if compiled.cue.whole and any(i < start or i >= end for i in content):
                    continue
                cue = compiled.cue
                found.append(
                    _Match(
                        compiled.intent, start, end, cue.weight, " ".join(tokens[start:end]), cue.negatable
                    )
                )
        return found

    @staticmethod
    def _longest_first(candidates: list[_Match]) -> list[_Match]:
        ordered = sorted(candidates, key=lambda m: (m.start - m.end, _RANK[m.intent], -m.weight, m.start))
        kept: list[_Match] = []
        for match in ordered:
            if not any(match.overlaps(k) for k in kept):
                kept.append(match)
        return sorted(kept, key=lambda m: m.start)

    @staticmethod
    def _negate(norm: Normalised, matches: list[_Match]) -> list[_Match]:
        # A bare "nahi" is read as an answer (no) unless it negates the phrase next to it
        # ("theek nahi", "busy nahi hoon"); other claimed tokens belong to their phrase.
        tokens = norm.tokens
        bare = {m.start: m for m in matches if m.intent is Intent.NO and m.end - m.start == 1
                and tokens[m.start] in _BARE_NEGATORS}  # fmt: skip
        claimed = {i for m in matches for i in range(m.start, m.end)} - bare.keys()
        used: set[int] = set()
        out: list[_Match] = []
        for match in matches:
            if not match.negatable:
                out.append(match)
                continue
            found = negators(norm, match.start, match.end, ignore=claimed)
            before, after = found.before, found.after
            used.update(before, after)
            if not found:
                out.append(match)
            elif match.intent is Intent.YES:
                start, end = (before or (match.start,))[0], (after or (match.end - 1,))[-1] + 1
                out.append(_Match(Intent.NO, start, end, match.weight, " ".join(tokens[start:end]), False))
            # Any other negated request ("I don't want to change it") is simply not made.
        # A "nahi" spent on negating its neighbour is no longer an answer of its own.
        spent = {bare[i] for i in used if i in bare}
        return sorted((m for m in out if m not in spent), key=lambda m: m.start)

    @staticmethod
    def _decide(matches: list[_Match], coverage: float) -> IntentResult:
        by_intent: dict[Intent | None, list[_Match]] = {}
        for match in matches:
            by_intent.setdefault(match.intent, []).append(match)

        def result(intent: Intent, found: list[_Match], penalty: float = 1.0) -> IntentResult:
            score = min(0.99, max(m.weight for m in found) + 0.05 * (len(found) - 1))
            floor = _COVERAGE_FLOOR_POLAR if intent in _POLAR else _COVERAGE_FLOOR_REQUEST
            confidence = round(score * (floor + (1 - floor) * coverage) * penalty, 3)
            return IntentResult(intent, confidence, tuple(m.text for m in found))

        for intent in _OVERRIDING:
            if intent in by_intent:
                return result(intent, by_intent[intent])
        specific = [i for i in _SPECIFIC if i in by_intent]
        if specific:
            best = max(specific, key=lambda i: (max(m.weight for m in by_intent[i]), -_RANK[i]))
            return result(best, by_intent[best])
        if None in by_intent:
            return result(Intent.UNKNOWN, by_intent[None])
        polar = [i for i in _POLAR if i in by_intent]
        if len(polar) == 2:
            # The later answer is the corrected one ("no no, theek hai" ends on yes).
            last = max(polar, key=lambda i: by_intent[i][-1].end)
            return result(last, by_intent[last], _CONFLICT_PENALTY)
        if polar:
            return result(polar[0], by_intent[polar[0]])
        return IntentResult(Intent.UNKNOWN, 0.0, ())


# Built once at import: compiling the lexicon is the only costly part.
DEFAULT_CLASSIFIER = IntentClassifier()
classify = DEFAULT_CLASSIFIER.classify
classify_dtmf = DEFAULT_CLASSIFIER.classify_dtmf
