"""The metrics ``GET /metrics`` exports: every name, kind, label and bucket, in one place.

Each plane makes the instruments it owns from these specs (``pbx.metrics``, ``workers.metrics``,
``contactcenter.metrics``); the Grafana dashboard (``deploy/grafana/contactcenter.json``), its
test and docs/operations.md name metrics from this table only. A spec is data, not an
instrument: this module does not import prometheus_client. It lives in ``workers`` because
every plane may import workers (a worker host runs without pbx: tests/workers/test_remote_worker.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["counter", "gauge", "histogram"]


@dataclass(frozen=True)
class MetricSpec:
    name: str  # as exported (a counter's name ends in _total)
    kind: Kind
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()  # histograms: upper bounds in seconds (+Inf is added)
    source: str = ""  # where the fact is born (docs/operations.md "Metrics")


# Event counters and latencies: instruments in the process where the fact is born, summed across
# processes by prometheus_client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by the stack).
# Buckets bracket what the benchmarks measure (README "Benchmarks"): decision -> queue in
# milliseconds (seconds when Asterisk struggles), a bot turn's p95 target 1.2 s, a Moonshine final.
CALLS_TOTAL = MetricSpec(
    "cc_calls_total", "counter", "Calls ended, by outcome (call.ended).", ("outcome",), source="pbx")
ESCALATIONS_TOTAL = MetricSpec(
    "cc_escalations_total", "counter", "Calls handed from the bot to a human queue, by reason (call.escalated).",
    ("reason",), source="pbx")
ESCALATION_LATENCY = MetricSpec(
    "cc_escalation_latency_seconds", "histogram",
    "From the escalation decision to the caller joining the human queue (call.queued wait_s).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0), source="pbx")
BOT_TURN_LATENCY = MetricSpec(
    "cc_bot_turn_latency_seconds", "histogram",
    "From the end of the caller's speech (VAD) to the first frame of the bot's reply on the line.",
    buckets=(0.25, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 5.0), source="pbx")
ASR_LATENCY = MetricSpec(
    "cc_asr_latency_seconds", "histogram",
    "From a finished stretch of speech handed to the ASR engine to its transcript, where recognition runs "
    "(pbx in-process, or a Celery asr worker); partials are not counted.",
    ("engine",), buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0),
    source="pbx or worker")
DIALER_ORIGINATES_TOTAL = MetricSpec(
    "cc_dialer_originates_total", "counter", "Originate commands the dialer sent to pbx, by campaign id.",
    ("campaign",), source="dialer")

# State: computed when /metrics is scraped from the authoritative state (pbx's gauges hash in
# Redis, the agents table), so every process and host sees the same numbers and a dead pbx
# shows as not reporting instead of as frozen counts.
CALLS_ACTIVE = MetricSpec(
    "cc_calls_active", "gauge", "pbx's live calls by direction and state (pbx's live counts).",
    ("direction", "state"), source="pbx via Redis")
QUEUE_WAITING_CALLS = MetricSpec(
    "cc_queue_waiting_calls", "gauge", "Callers waiting in each human queue, as Asterisk counts them.",
    ("queue",), source="Asterisk via pbx and Redis")
AGENTS = MetricSpec("cc_agents", "gauge", "Agents by state (the agents table).", ("state",), source="Django")
PBX_REPORTING = MetricSpec(
    "cc_pbx_reporting", "gauge",
    "1 while pbx's live gauges are fresh; 0 when they are missing or stale (cc_calls_active and "
    "cc_queue_waiting_calls are absent then).", source="pbx via Redis")

METRICS: tuple[MetricSpec, ...] = (
    CALLS_ACTIVE, CALLS_TOTAL, ESCALATIONS_TOTAL, ESCALATION_LATENCY, BOT_TURN_LATENCY, ASR_LATENCY,
    QUEUE_WAITING_CALLS, AGENTS, DIALER_ORIGINATES_TOTAL, PBX_REPORTING,
)  # fmt: skip
METRIC_NAMES: frozenset[str] = frozenset(spec.name for spec in METRICS)
