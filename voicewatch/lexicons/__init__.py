"""Phrase lexicons grouped by meaning, compiled once at import.

The data lives in one small module per meaning (plain Python lists, easy to review
and extend with synonyms); this module only turns them into matchers. Signals import
the compiled `Lexicon` objects from here, never the raw lists.
"""

from __future__ import annotations

from voicewatch.lexicons import (
    ambiguity,
    anger,
    change,
    complaint,
    distress,
    fraud,
    human,
    language,
    legal,
    misunderstanding,
    negotiation,
)
from voicewatch.text import Lexicon

HUMAN_REQUEST = Lexicon("human_request", human.REQUEST)
HUMAN_REQUEST_WEAK = Lexicon("human_request_weak", human.WEAK)

NEGOTIATION = Lexicon("negotiation", negotiation.NEGOTIATION)
NEGOTIATION_WEAK = Lexicon("negotiation_weak", negotiation.WEAK)

LEGAL = Lexicon("legal_threat", legal.THREAT)
LEGAL_WEAK = Lexicon("legal_threat_weak", legal.WEAK)

DISTRESS = Lexicon("distress", distress.STRONG)
DISTRESS_WEAK = Lexicon("distress_weak", distress.WEAK)

FRAUD = Lexicon("dispute_fraud", fraud.CLAIM)
FRAUD_WEAK = Lexicon("dispute_fraud_weak", fraud.WEAK)

CHANGE = Lexicon("change_request", change.CHANGE)
CANCEL = Lexicon("cancel_request", change.CANCEL)
COMPLAINT = Lexicon("complaint", complaint.COMPLAINT)
COMPLAINT_MILD = Lexicon("complaint_mild", complaint.MILD)
LOYALTY = Lexicon("loyalty", complaint.LOYALTY)

ANGER = Lexicon("frustration", anger.STRONG)
ANGER_WEAK = Lexicon("frustration_weak", anger.WEAK)

HEDGE = Lexicon("hedge", ambiguity.HEDGE, negatable=False)
SOFT_HEDGE = Lexicon("soft_hedge", ambiguity.SOFT_HEDGE, negatable=False)
FILLER = Lexicon("filler", ambiguity.FILLER, negatable=False)
AFFIRM = Lexicon("affirmation", ambiguity.AFFIRM)
GRATITUDE = Lexicon("gratitude", ambiguity.GRATITUDE)
DECLINE = Lexicon("decline", ambiguity.DECLINE, negatable=False)
DEFERRAL = Lexicon("deferral", ambiguity.DEFERRAL)

# Repeat requests carry their own negation ("didn't hear"), so negation must not cancel them.
REPEAT_REQUEST = Lexicon("repeat_request", misunderstanding.REPEAT_REQUEST, negatable=False)
NON_ANSWER = Lexicon("non_answer", misunderstanding.NON_ANSWER, negatable=False)

LANGUAGE_NAMES = language.LANGUAGE_NAMES
LANGUAGE_LABELS = language.LANGUAGE_LABELS
LANGUAGE_NOT_A_REQUEST_AFTER = language.NOT_A_REQUEST_AFTER
LANGUAGE_NATIVE_CUES = Lexicon("language_native_cue", list(language.NATIVE_CUES), negatable=False)
LANGUAGE_NATIVE_CUE_CODES = {k.lower(): v for k, v in language.NATIVE_CUES.items()}
LANGUAGE_REQUEST_CUE = Lexicon("language_request_cue", language.REQUEST_CUE, negatable=False)
LANGUAGE_NOT_UNDERSTOOD = Lexicon("language_not_understood", language.NOT_UNDERSTOOD, negatable=False)
SCRIPT_RANGES = language.SCRIPT_RANGES

__all__ = [name for name in dict(globals()) if name.isupper()]
