"""The one text layer (voicewatch.text): normalisation, the pattern language, negation.

pbx's dialog reads replies through it as well, so these are the rules both share.
"""

from __future__ import annotations

import pytest

from voicewatch.text import Lexicon, compile_pattern, negators, normalise


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Don\u2019t call!", ("dont", "call")),
        ("I'll call, it's fine", ("i", "will", "call", "its", "fine")),
        ("do not  CALL", ("dont", "call")),
        ("Theek h... pata nhi", ("theek", "hai", "pata", "nahi")),
        ("Haanji, o.k.", ("haan", "ji", "okay")),
        ("Kisi insan se baat karao", ("kisi", "insaan", "se", "baat", "karao")),
        ("I cannot pay", ("i", "cant", "pay")),
        ("हाँ, ठीक है।", ("हाँ", "ठीक", "है")),
    ],
)
def test_normalise(text: str, tokens: tuple[str, ...]) -> None:
    assert normalise(text).tokens == tokens


def test_clauses_follow_punctuation() -> None:
    assert normalise("no, call me later").clause_of == (0, 1, 1, 1)


def spans(pattern: str, text: str) -> list[tuple[int, int]]:
    return normalise(text).spans(compile_pattern(pattern))


def test_pattern_words_groups_optionals_and_gaps() -> None:
    assert spans("call (me)? later", "please call later") == [(1, 3)]
    assert spans("call (me)? later", "call me later") == [(0, 3)]
    assert spans("(talk|speak to) now", "speak to now") == [(0, 3)]
    assert spans("deliver ~ instead", "deliver it on monday instead") == [(0, 5)]
    assert spans("deliver ~ instead", "deliver it to my old home instead") == []  # gap is at most 3 words
    assert spans("deliver ~~ instead", "deliver it to my old home instead") == [(0, 7)]
    assert spans("please? go", "go") == [(0, 1)]
    assert spans("harass*", "stop harassing me") == [(1, 2)]


def test_patterns_match_whole_tokens_and_fold_like_speech() -> None:
    assert spans("no", "I know nothing") == []
    assert spans("don't call", "do not call") == [(0, 2)]
    assert spans("do not call", "Don't call") == [(0, 2)]
    assert spans("that is right", "that's right") == [(0, 2)]
    assert spans("it is not mine", "it's not mine") == spans("it is not mine", "it is not mine") == [(0, 3)]
    assert spans("okay", "o.k.") == [(0, 1)]
    assert spans("thik hai", "theek h") == [(0, 2)]
    assert spans("insaan se", "kisi insan se") == [(1, 3)]


@pytest.mark.parametrize("bad", ["~ later", "call ~", "(call", "call)", "", "( )"])
def test_malformed_patterns_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        compile_pattern(bad)


def test_negation_before_in_english_after_in_hindi_within_a_clause() -> None:
    upset = Lexicon("upset", ["upset"])
    assert [m.negated for m in upset.find(normalise("I am not upset"))] == [True]
    assert [m.negated for m in upset.find(normalise("upset nahi hoon"))] == [True]
    assert [m.negated for m in upset.find(normalise("No, I am upset"))] == [False]


def test_negators_report_positions_and_skip_ignored_ones() -> None:
    norm = normalise("not theek nahi")
    found = negators(norm, 1, 2)
    assert (found.before, found.after) == ((0,), (2,))
    assert not negators(norm, 1, 2, ignore={0, 2})
