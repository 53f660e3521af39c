"""Text sentiment comes from voicewatch, which owns the scoring; this is the one place that imports it.

Everything else takes a plain ``Callable[[str], float]`` (score in [-1, 1], negative = unhappy),
so tests and other deployments can inject their own scorer.
"""

from __future__ import annotations

from collections.abc import Callable

SentimentFn = Callable[[str], float]


def load_sentiment() -> SentimentFn:
    from voicewatch import score_sentiment

    return score_sentiment
