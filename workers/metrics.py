"""Instruments made from ``workers.metric_specs``' specs, and the workers' own: ASR latency.

prometheus_client's multiprocess mode is chosen when it is first imported: with
``PROMETHEUS_MULTIPROC_DIR`` set (the stack sets it for every process it starts), each process
writes its values to files of its own there and ``GET /metrics`` sums them. A Celery pool
process that exits is marked dead (:func:`mark_dead`), so gauges that count only live
processes drop it; its counters keep counting in the sum.

The planes import :func:`make_metric` from here (pbx and the management plane already import
``workers``).
"""

from __future__ import annotations

import logging
import os
from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.multiprocess import mark_process_dead

from workers.metric_specs import ASR_LATENCY, MetricSpec

log = logging.getLogger(__name__)

# No ``*_created`` series: the multiprocess files (the stack's way) have none, so a process
# without them (a development server) exports the same names.
disable_created_metrics()

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

Instrument = Counter | Gauge | Histogram


def make_metric(spec: MetricSpec, registry: CollectorRegistry | None = REGISTRY) -> Instrument:
    """The instrument of ``spec``, registered in ``registry`` (tests pass a fresh one)."""
    common = {"name": spec.name, "documentation": spec.help, "labelnames": spec.labels, "registry": registry}
    if spec.kind == "counter":
        return Counter(**common)
    if spec.kind == "histogram":
        return Histogram(**common, buckets=spec.buckets)
    # A gauge written by several processes: the live ones' values are summed.
    return Gauge(**common, multiprocess_mode="livesum")


class AsrMetrics:
    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.latency: Histogram = make_metric(ASR_LATENCY, registry)  # type: ignore[assignment]

    def decoded(self, engine: str, seconds: float) -> None:
        """A final (or a pause's guess) came out of ``engine`` ``seconds`` after it was handed in."""
        try:
            self.latency.labels(engine=engine).observe(max(0.0, seconds))
        except Exception:  # called from ASR threads: a metric must never stop recognition
            log.exception("ASR latency not recorded")


@cache
def asr_metrics() -> AsrMetrics:
    """This process's ASR instruments, in the default registry (made once, on first use)."""
    return AsrMetrics()


def mark_dead(pid: int, folder: str | None = None) -> None:
    """``pid`` (a process that wrote to the multiprocess ``folder``, by default this process's) has exited."""
    folder = folder or os.environ.get(MULTIPROC_DIR_VARIABLE)
    if folder:
        try:
            mark_process_dead(pid, folder)
        except OSError as exc:  # metrics must never stop a shutdown
            log.warning("metrics of process %s not marked dead: %s", pid, exc)
