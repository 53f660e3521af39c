"""Pure text sentiment for calls: VADER extended with call-centre and Hinglish lexicons."""

from voicewatch.sentiment.scorer import (
    HybridSentimentScorer,
    SentimentResult,
    analyse_sentiment,
    score_sentiment,
)

__all__ = ["HybridSentimentScorer", "SentimentResult", "analyse_sentiment", "score_sentiment"]
