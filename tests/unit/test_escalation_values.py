"""What pbx puts on a channel from a lead's or a user's words: encoded, so the dialplan copies inert text."""

from __future__ import annotations

import re
from urllib.parse import unquote

from pbx.bot.phrases import whisper_text
from pbx.calls.escalation import SUMMARY_HEADER_MAX, header_text, reason_word

NASTY_NAME = 'Ra"hul $[1+1] ${CC_CALL_ID}; x'


def test_the_summary_is_encoded_into_characters_a_dialplan_gives_no_meaning() -> None:
    summary = whisper_text("anger", {"first_name": NASTY_NAME, "order_id": "A1,(x):y|z\r\nX-Evil: 1"})
    encoded = header_text(summary)
    assert re.fullmatch(r"[A-Za-z0-9%_.~-]+", encoded), encoded
    assert unquote(encoded) == summary
    assert NASTY_NAME in unquote(encoded)


def test_a_long_summary_is_cut_at_a_whole_character() -> None:
    summary = "Priyā " * 400
    encoded = header_text(summary)
    assert len(encoded) <= SUMMARY_HEADER_MAX
    decoded = unquote(encoded, errors="strict")
    assert summary.startswith(decoded) and len(decoded) > 100


def test_a_reason_is_a_word_on_the_channel() -> None:
    assert reason_word("anger") == "anger"
    assert reason_word('x"$[1+1],y') == "x___1_1__y"
