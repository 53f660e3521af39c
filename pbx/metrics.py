"""pbx's instruments: what its events say (calls ended, escalations, escalation latency) and
the bot's turn latency (``pbx.bot.turn_timing``).

:meth:`PbxMetrics.observe` follows the event publisher (the one place every event of pbx
passes), so a fact is counted where it is born, once: the publisher hands each event to its
followers once, before it goes to Redis. What pbx's state is (calls by state, callers waiting)
is not an instrument here: pbx writes it to Redis (``pbx.api.PbxGauges``) and ``GET /metrics``
reads it there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

from pbx.api import CallEnded, CallEscalated, CallQueued, Event
from workers.metric_specs import BOT_TURN_LATENCY, CALLS_TOTAL, ESCALATION_LATENCY, ESCALATIONS_TOTAL
from workers.metrics import make_metric

log = logging.getLogger(__name__)


class PbxMetrics:
    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.calls: Counter = make_metric(CALLS_TOTAL, registry)  # type: ignore[assignment]
        self.escalations: Counter = make_metric(ESCALATIONS_TOTAL, registry)  # type: ignore[assignment]
        self.escalation_latency: Histogram = make_metric(ESCALATION_LATENCY, registry)  # type: ignore[assignment]
        self.bot_turn_latency: Histogram = make_metric(BOT_TURN_LATENCY, registry)  # type: ignore[assignment]
        self._handlers: dict[type, Callable[[Any], None]] = {
            CallEnded: self._call_ended,
            CallEscalated: self._call_escalated,
            CallQueued: self._call_queued,
        }

    def observe(self, event: Event) -> None:
        """An event pbx publishes (a follower of :class:`~pbx.bus.publisher.EventPublisher`)."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def bot_turn(self, seconds: float) -> None:
        """The caller stopped talking ``seconds`` before the first frame of the bot's reply went out."""
        try:
            self.bot_turn_latency.observe(max(0.0, seconds))
        except Exception:  # called on the line's clock: a metric must never stop the bot
            log.exception("bot turn latency not recorded")

    def _call_ended(self, event: CallEnded) -> None:
        self.calls.labels(outcome=event.outcome).inc()

    def _call_escalated(self, event: CallEscalated) -> None:
        self.escalations.labels(reason=event.reason).inc()

    def _call_queued(self, event: CallQueued) -> None:
        # Only pbx's own escalations carry the decision's time; a caller straight from the trunk
        # (or moved by the fail-safe) had no decision to measure from.
        if event.wait_s is not None:
            self.escalation_latency.observe(event.wait_s)


@cache
def pbx_metrics() -> PbxMetrics:
    """This process's instruments, in the default registry (made once, on first use)."""
    return PbxMetrics()
