"""Fraud claims and disputes ("I never placed this order", "maine kiya hi nahi")."""

from voicewatch.lexicons import FRAUD, FRAUD_WEAK
from voicewatch.signals.intent import IntentSignal

detect = IntentSignal("dispute_fraud", "dispute_fraud", FRAUD, FRAUD_WEAK,
                      "customer disputes the transaction or reports fraud", strong_score=0.9, weak_score=0.4)
