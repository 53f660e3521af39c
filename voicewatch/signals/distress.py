"""Distress and vulnerability (job loss, illness, bereavement, crisis)."""

from voicewatch.lexicons import DISTRESS, DISTRESS_WEAK
from voicewatch.signals.intent import IntentSignal

detect = IntentSignal("distress", "distress", DISTRESS, DISTRESS_WEAK,
                      "customer sounds distressed or vulnerable", strong_score=0.9, weak_score=0.35)
