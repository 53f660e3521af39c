"""Negotiation and payment hardship (part payment, fee waiver, more time, "can't afford")."""

from voicewatch.lexicons import NEGOTIATION, NEGOTIATION_WEAK
from voicewatch.signals.intent import IntentSignal

detect = IntentSignal("negotiation", "negotiation", NEGOTIATION, NEGOTIATION_WEAK,
                      "customer is negotiating or reports payment hardship", strong_score=0.85, weak_score=0.3)
