"""The management plane's instruments: the dialer's originate commands (``cc_dialer_originates_total``)."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Sequence
from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter

from pbx.api import OriginateCall
from workers.metric_specs import DIALER_ORIGINATES_TOTAL
from workers.metrics import make_metric


class DialerMetrics:
    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.originates: Counter = make_metric(DIALER_ORIGINATES_TOTAL, registry)  # type: ignore[assignment]

    def sent(self, commands: Sequence[OriginateCall]) -> None:
        """``commands`` reached pbx's command stream (the dialer's send succeeded)."""
        campaigns = Tally(str(c.campaign_id) if c.campaign_id is not None else "" for c in commands)
        for campaign, n in campaigns.items():
            self.originates.labels(campaign=campaign).inc(n)


@cache
def dialer_metrics() -> DialerMetrics:
    """This process's instruments, in the default registry (made once, on first use)."""
    return DialerMetrics()
