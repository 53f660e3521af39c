"""The state gauges, computed when ``/metrics`` is scraped from where the state is kept.

Why not gauges that pbx and Django set in their own processes: the state already has an
authoritative home that every process and host reads (pbx's gauges hash in Redis, refreshed
every second with the live counts the dialer paces by; the agents table), so a scrape shows
what the dialer and the wallboard see. A pbx that died leaves a hash that stops being fresh:
its calls and queues are then absent and ``cc_pbx_reporting`` is 0, where a gauge file of a
dead process would go on showing its last counts.

:class:`StateCollector` is the pure part (its readers are passed in); :func:`read_pbx_gauges`
and :func:`agents_by_state` read Redis and the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily

from pbx.api import PBX_GAUGES_KEY, AgentState, PbxGauges, SchemaError
from workers.metric_specs import AGENTS, CALLS_ACTIVE, PBX_REPORTING, QUEUE_WAITING_CALLS, MetricSpec

log = logging.getLogger(__name__)


def _gauge(spec: MetricSpec) -> GaugeMetricFamily:
    return GaugeMetricFamily(spec.name, spec.help, labels=spec.labels)


@dataclass(frozen=True)
class StateCollector:
    pbx_gauges: Callable[[], PbxGauges | None]
    agent_states: Callable[[], Mapping[str, int]]
    clock: Callable[[], float]
    max_age_s: float = 5.0

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauges = self.pbx_gauges()
        fresh = gauges is not None and gauges.fresh(self.clock(), self.max_age_s)
        reporting = _gauge(PBX_REPORTING)
        reporting.add_metric([], 1.0 if fresh else 0.0)
        yield reporting
        calls, waiting = _gauge(CALLS_ACTIVE), _gauge(QUEUE_WAITING_CALLS)
        if fresh:
            assert gauges is not None
            for direction, states in sorted(gauges.calls.items()):
                for state, n in sorted(states.items()):
                    calls.add_metric([direction, state], n)
            for queue, n in sorted(gauges.queue_callers.items()):
                waiting.add_metric([queue], n)
        yield calls
        yield waiting
        agents = _gauge(AGENTS)
        counted = {state.value: 0 for state in AgentState} | dict(self.agent_states())
        for state, n in sorted(counted.items()):
            agents.add_metric([state], n)
        yield agents


def read_pbx_gauges(redis_url: str) -> PbxGauges | None:
    """pbx's gauges hash; None when it is missing, unreadable or Redis does not answer."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        data = client.hgetall(PBX_GAUGES_KEY)
    except (redis.RedisError, OSError) as exc:
        log.warning("metrics: pbx's gauges not read (%s)", exc)
        return None
    finally:
        client.close()
    if not data:
        return None
    try:
        return PbxGauges.from_hash(data)
    except SchemaError as exc:
        log.warning("metrics: pbx's gauges are unreadable (%s)", exc)
        return None


def agents_by_state() -> dict[str, int]:
    from django.db.models import Count

    from contactcenter.people.models import Agent

    return {row["state"]: row["n"] for row in Agent.objects.values("state").annotate(n=Count("id")).order_by()}
