"""Prompt templates. Reading replies (normalisation, the pattern language) is voicewatch.text's
job and is tested in tests/voicewatch/test_text.py; here only that the dialog reads through it."""

from __future__ import annotations

import pytest

from pbx.dialog.errors import MissingTemplateField
from pbx.dialog.intents import classify
from pbx.dialog.templates import render, template_fields
from pbx.dialog.vocabulary import Intent
from voicewatch.lexicons import HUMAN_REQUEST
from voicewatch.text import normalise


@pytest.mark.parametrize("text", ["Kisi insan se baat karao", "I don't want to talk to a robot"])
def test_the_dialog_and_voicewatch_read_a_human_request_alike(text: str) -> None:
    assert classify(text).intent is Intent.HUMAN_REQUEST
    assert HUMAN_REQUEST.affirmed(normalise(text))


def test_template_fields_and_render() -> None:
    assert template_fields("Hi {first_name}, order {order_id} for {first_name}") == ("first_name", "order_id")
    assert render("Hi {first_name}, {{literal}}", {"first_name": "Asha"}) == "Hi Asha, {literal}"
    with pytest.raises(MissingTemplateField, match="order_id"):
        render("Order {order_id}", {})
