"""VoiceWatch: decides, event by event, when an AI-handled call should go to a person.

Pure library: no I/O at decision time, deterministic, no lookahead.

    from voicewatch import CallMonitor, Policy
    monitor = CallMonitor(Policy.default(), {"order_value": 64999, "currency": "INR"})
    decision = monitor.observe({"type": "utterance", "text": "I want to talk to a person"})
    decision.escalate, decision.queue, decision.reason, decision.explanation
"""

from voicewatch import events
from voicewatch.decision import Decision
from voicewatch.errors import EventError, PolicyError, VoiceWatchValidationError
from voicewatch.events import (
    BotPrompt,
    CallContext,
    CustomerUtterance,
    PartialUtterance,
    Prosody,
    Silence,
    Unheard,
    parse_event,
)
from voicewatch.monitor import CallMonitor
from voicewatch.policy import REASONS, SIGNAL_NAMES, Policy, ReasonRule, Thresholds
from voicewatch.sentiment import SentimentResult, analyse_sentiment, score_sentiment
from voicewatch.signals.base import SignalHit

__all__ = [
    "BotPrompt", "CallContext", "CallMonitor", "CustomerUtterance", "Decision", "EventError", "PartialUtterance",
    "Policy", "PolicyError", "Prosody", "REASONS", "ReasonRule", "SIGNAL_NAMES", "SentimentResult", "SignalHit",
    "Silence", "Thresholds", "Unheard", "VoiceWatchValidationError", "analyse_sentiment", "events", "parse_event",
    "score_sentiment",
]
