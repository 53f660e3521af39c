"""What one scrape of ``/metrics`` answers: every process's instruments and the state gauges.

With ``PROMETHEUS_MULTIPROC_DIR`` (the stack's processes all write there) the instruments are
read from the folder, summed across processes (pbx, the dialer, the Celery pool processes,
this one); without it (a development server) from this process alone. Every metric of
``workers.metric_specs`` is named in every answer, with its help and type, even before any process
has recorded a value of it, so a dashboard or an alert never waits on a name to appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from prometheus_client import REGISTRY, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from workers.metric_specs import METRICS, MetricSpec


class Source(Protocol):
    def collect(self) -> Iterable[Metric]: ...


def _empty(spec: MetricSpec) -> Metric:
    kinds = {"counter": CounterMetricFamily, "gauge": GaugeMetricFamily, "histogram": HistogramMetricFamily}
    return kinds[spec.kind](spec.name, spec.help, labels=spec.labels)


class EveryMetric:
    """The sources' families, then an empty one for each spec none of them gave."""

    def __init__(self, sources: Iterable[Source]) -> None:
        self._sources = tuple(sources)

    def collect(self) -> Iterator[Metric]:
        seen: set[str] = set()
        for source in self._sources:
            for family in source.collect():
                seen.add(family.name)
                yield family
        for spec in METRICS:
            empty = _empty(spec)
            if empty.name not in seen:  # a counter's family drops _total on both sides
                yield empty


def scrape(multiproc_dir: str | None, state: Source) -> bytes:
    instruments: Source = MultiProcessCollector(None, path=multiproc_dir) if multiproc_dir else REGISTRY
    return generate_latest(EveryMetric([instruments, state]))  # type: ignore[arg-type]
