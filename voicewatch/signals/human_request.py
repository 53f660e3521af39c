"""Explicit requests for a human ("talk to a real person", "kisi insaan se baat karni hai")."""

from voicewatch.lexicons import HUMAN_REQUEST, HUMAN_REQUEST_WEAK
from voicewatch.signals.intent import IntentSignal

detect = IntentSignal("human_request", "human_request", HUMAN_REQUEST, HUMAN_REQUEST_WEAK,
                      "customer asked for a human", strong_score=0.95, weak_score=0.4)
