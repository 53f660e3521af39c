"""Legal threats (lawyer, court, consumer forum, police complaint)."""

from voicewatch.lexicons import LEGAL, LEGAL_WEAK
from voicewatch.signals.intent import IntentSignal

detect = IntentSignal("legal_threat", "legal_threat", LEGAL, LEGAL_WEAK,
                      "customer threatened legal action", strong_score=0.95, weak_score=0.4)
