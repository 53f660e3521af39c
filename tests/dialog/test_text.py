"""The small text helpers: normalisation, the lexicon pattern language, prompt templates."""

from __future__ import annotations

import pytest

from pbx.dialog.errors import MissingTemplateField
from pbx.dialog.normalise import normalise
from pbx.dialog.patterns import TokenText, compile_pattern
from pbx.dialog.templates import render, template_fields


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Don\u2019t call!", ("dont", "call")),
        ("I'll call, it's fine", ("i", "will", "call", "it", "is", "fine")),
        ("do not  CALL", ("dont", "call")),
        ("Theek h... pata nhi", ("theek", "hai", "pata", "nahi")),
        ("Haanji, o.k.", ("haan", "ji", "okay")),
        ("Asha's order", ("asha", "order")),
        ("हाँ, ठीक है।", ("हाँ", "ठीक", "है")),
    ],
)
def test_normalise(text: str, tokens: tuple[str, ...]) -> None:
    assert normalise(text) == tokens


def spans(pattern: str, text: str) -> list[tuple[int, int]]:
    return TokenText.of(normalise(text)).spans(compile_pattern(pattern))


def test_pattern_words_groups_optionals_and_gaps() -> None:
    assert spans("call (me)? later", "please call later") == [(1, 3)]
    assert spans("call (me)? later", "call me later") == [(0, 3)]
    assert spans("(talk|speak to) now", "speak to now") == [(0, 3)]
    assert spans("deliver ~ instead", "deliver it on monday instead") == [(0, 5)]
    assert spans("deliver ~ instead", "deliver it to my old home instead") == []  # gap is at most 3 words
    assert spans("please? go", "go") == [(0, 1)]


def test_patterns_match_whole_tokens_and_fold_like_speech() -> None:
    assert spans("no", "I know nothing") == []
    assert spans("don't call", "do not call") == [(0, 2)]


@pytest.mark.parametrize("bad", ["~ later", "call ~", "(call", "call)", "", "( )"])
def test_malformed_patterns_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        compile_pattern(bad)


def test_template_fields_and_render() -> None:
    assert template_fields("Hi {first_name}, order {order_id} for {first_name}") == ("first_name", "order_id")
    assert render("Hi {first_name}, {{literal}}", {"first_name": "Asha"}) == "Hi Asha, {literal}"
    with pytest.raises(MissingTemplateField, match="order_id"):
        render("Order {order_id}", {})
