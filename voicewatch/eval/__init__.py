"""Offline evaluation: replay labelled calls through CallMonitor and score the decisions."""

from voicewatch.eval.corpus import Call, CorpusError, Label, Turn, call_events, read_jsonl, shared_corpus
from voicewatch.eval.metrics import compute
from voicewatch.eval.replay import Outcome, evaluate, replay
from voicewatch.eval.whatif import compare, metric_delta

__all__ = ["Call", "CorpusError", "Label", "Outcome", "Turn", "call_events", "compare", "compute", "evaluate",
           "metric_delta", "read_jsonl", "replay", "shared_corpus"]
