"""Every metric on a fixed event log, against numbers worked out by hand (a fresh registry each).

The instruments are fed the way the processes feed them: pbx's events through the publisher's
follower (``PbxMetrics.observe``), a bot's turns through its ``TurnClock``, ASR finals through
the recogniser that decoded them, the dialer's commands through its send; the state gauges
from a fixed pbx gauges hash and agents table.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from contactcenter.metrics.exposition import EveryMetric
from contactcenter.metrics.instruments import DialerMetrics
from contactcenter.metrics.state import StateCollector
from pbx.ami_listener import AmiEvent
from pbx.api import (
    AgentConnected,
    CallEnded,
    CallEscalated,
    CallQueued,
    CallStarted,
    DecisionMade,
    OriginateCall,
    PbxGauges,
)
from pbx.bot.turn_timing import TurnClock
from pbx.calls.live import CallState, LiveCall
from pbx.calls.queue_callers import QueueCallers
from pbx.calls.registry import CallRegistry
from pbx.metrics import PbxMetrics
from workers.asr.base import Transcript
from workers.asr.batcher import UtteranceBatcher
from workers.audio import Audio
from workers.metric_specs import METRIC_NAMES, METRICS
from workers.metrics import AsrMetrics
from workers.tasks.job_decoding import JobDecoder


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def buckets(registry: CollectorRegistry, name: str, **labels: str) -> dict[str, float | None]:
    """Cumulative bucket counts by upper bound, as exported."""
    spec = next(s for s in METRICS if s.name == name)
    bounds = [*(str(float(b)) for b in spec.buckets), "+Inf"]
    return {le: value(registry, f"{name}_bucket", **labels, le=le) for le in bounds}


# ------------------------------------------------------------------ pbx's events

# Six calls. c1: angry, escalated, in the queue 4 ms after the decision, answered. c2, c3:
# confirmed with the bot. c4: asked for a person, 2.5 s to the queue (a slow Asterisk), hung up
# waiting. c5: angry, 12 s to the queue, answered. c6: never answered.
# Plus a caller straight from the trunk (no decision: no latency) and a repeat of c2's end
# as a second process would not send it (the publisher hands each event on once).
EVENT_LOG = [
    CallStarted(call_id="c1", direction="outbound"),
    DecisionMade(call_id="c1", turn=2, escalate=True, reason="anger", score=0.9),
    CallEscalated(call_id="c1", queue="support", reason="anger", score=0.9, decided_at=100.0),
    CallQueued(call_id="c1", queue="support", reason="anger", wait_s=0.004),
    AgentConnected(call_id="c1", queue="support", agent="agent1"),
    CallEnded(call_id="c1", outcome="escalated", detail="anger"),
    CallStarted(call_id="c2", direction="outbound"),
    CallEnded(call_id="c2", outcome="confirmed"),
    CallStarted(call_id="c3", direction="inbound"),
    CallEnded(call_id="c3", outcome="confirmed"),
    CallStarted(call_id="c4", direction="outbound"),
    CallEscalated(call_id="c4", queue="support", reason="human_request", score=1.0),
    CallQueued(call_id="c4", queue="support", reason="human_request", wait_s=2.5),
    CallEnded(call_id="c4", outcome="abandoned"),
    CallQueued(call_id=None, channel="PJSIP/trunk-00000007", queue="support"),  # from the trunk: no wait_s
    CallStarted(call_id="c5", direction="outbound"),
    CallEscalated(call_id="c5", queue="sales", reason="anger", score=0.95),
    CallQueued(call_id="c5", queue="sales", reason="anger", wait_s=12.0),
    CallEnded(call_id="c5", outcome="escalated", detail="anger"),
    CallStarted(call_id="c6", direction="outbound"),
    CallEnded(call_id="c6", outcome="no_answer"),
]


def test_pbx_events_count_calls_escalations_and_the_escalation_latency() -> None:
    registry = CollectorRegistry()
    metrics = PbxMetrics(registry)
    for event in EVENT_LOG:
        metrics.observe(event)

    assert value(registry, "cc_calls_total", outcome="escalated") == 2  # c1, c5
    assert value(registry, "cc_calls_total", outcome="confirmed") == 2  # c2, c3
    assert value(registry, "cc_calls_total", outcome="abandoned") == 1  # c4
    assert value(registry, "cc_calls_total", outcome="no_answer") == 1  # c6
    assert value(registry, "cc_calls_total", outcome="callback") is None  # no such call: no series

    assert value(registry, "cc_escalations_total", reason="anger") == 2  # c1, c5
    assert value(registry, "cc_escalations_total", reason="human_request") == 1  # c4

    # 0.004, 2.5 and 12.0 s; the trunk's caller had no decision to measure from.
    assert value(registry, "cc_escalation_latency_seconds_count") == 3
    assert value(registry, "cc_escalation_latency_seconds_sum") == pytest.approx(14.504)
    assert buckets(registry, "cc_escalation_latency_seconds") == {
        "0.005": 1, "0.01": 1, "0.025": 1, "0.05": 1, "0.1": 1, "0.25": 1, "0.5": 1, "1.0": 1, "2.5": 2, "5.0": 2,
        "10.0": 2, "+Inf": 3,
    }  # fmt: skip


def test_bot_turns_are_measured_from_the_end_of_speech_to_the_first_frame_on_the_line() -> None:
    registry = CollectorRegistry()
    metrics = PbxMetrics(registry)
    times = iter([
        # The greeting: no caller speech before it, not a turn.
        1.0, 1.02,                        # voiced, sent
        # Turn 1: the VAD closes the utterance at 10.0, its last voice 0.3 s earlier (9.7);
        # heard 10.0, understood 10.3, decided 10.4, voiced 10.6, sent 10.62: 0.92 s.
        10.0, 10.0, 10.3, 10.4, 10.6, 10.62,
        # Turn 2: the caller went on after a pause: the later utterance counts (20.5 - 0.12 =
        # 20.38); decided 20.8, voiced 21.85, sent 21.9: 1.52 s.
        20.0, 20.0, 20.5, 20.5, 20.8, 21.85, 21.9,
        # Turn 3: the end of speech untold: from "heard" (30.0); voiced 32.9, sent 33.0: 3.0 s.
        30.0, 32.9, 33.0,
    ])  # fmt: skip
    clock = TurnClock("c1", on_turn=metrics.bot_turn, clock=lambda: next(times))
    clock.bot("voiced")
    clock.frame_sent()
    clock.speech_ended(0.3)
    for mark in ("heard", "understood"):
        clock.caller(mark)
    clock.bot("decided")
    clock.bot("voiced")
    clock.frame_sent()
    clock.frame_sent()  # the rest of the reply's frames: the turn is counted once
    for ago in (0.2, 0.12):
        clock.speech_ended(ago)
        clock.caller("heard")
    clock.bot("decided")
    clock.bot("voiced")
    clock.frame_sent()
    clock.caller("heard")
    clock.bot("voiced")
    clock.frame_sent()
    with pytest.raises(StopIteration):
        next(times)  # every mark was taken

    assert value(registry, "cc_bot_turn_latency_seconds_count") == 3
    assert value(registry, "cc_bot_turn_latency_seconds_sum") == pytest.approx(0.92 + 1.52 + 3.0)
    assert buckets(registry, "cc_bot_turn_latency_seconds") == {
        "0.25": 0, "0.4": 0, "0.5": 0, "0.6": 0, "0.7": 0, "0.8": 0, "1.0": 1, "1.2": 1, "1.5": 1, "2.0": 2,
        "3.0": 3, "5.0": 3, "+Inf": 3,
    }  # fmt: skip


# ------------------------------------------------------------------ ASR, where recognition runs


class _Engine:
    """A batch engine that answers at once: the latencies are the batcher's and the decoder's own."""

    name = "moonshine"
    mode = "batch"
    packs_utterances = False
    decodes_during_speech = True
    sample_rates = (16000,)

    def transcribe_many(self, utterances):
        return [Transcript("hello", (), True, self.name) for _ in utterances]


def test_asr_latency_is_per_engine_with_hand_set_decode_times() -> None:
    registry = CollectorRegistry()
    asr = AsrMetrics(registry)
    for engine, seconds in [("moonshine", 0.18), ("moonshine", 0.42), ("moonshine", 0.3), ("whisper", 1.1)]:
        asr.decoded(engine, seconds)

    assert value(registry, "cc_asr_latency_seconds_count", engine="moonshine") == 3
    assert value(registry, "cc_asr_latency_seconds_sum", engine="moonshine") == pytest.approx(0.9)
    assert buckets(registry, "cc_asr_latency_seconds", engine="moonshine") == {
        "0.025": 0, "0.05": 0, "0.1": 0, "0.2": 1, "0.3": 2, "0.5": 3, "0.75": 3, "1.0": 3, "1.5": 3, "2.0": 3,
        "3.0": 3, "5.0": 3, "+Inf": 3,
    }  # fmt: skip
    assert value(registry, "cc_asr_latency_seconds_count", engine="whisper") == 1
    assert value(registry, "cc_asr_latency_seconds_bucket", engine="whisper", le="1.0") == 0
    assert value(registry, "cc_asr_latency_seconds_bucket", engine="whisper", le="1.5") == 1


def test_the_recognisers_count_each_final_once_and_no_partial() -> None:
    """In pbx (the batcher of in-process speech) and in a Celery worker (the job decoder): three
    finals and two partials of the same engine make three observations."""
    registry = CollectorRegistry()
    asr = AsrMetrics(registry)
    audio = Audio((np.sin(np.arange(16000) / 5) * 8000).astype(np.int16), 16000)
    batcher = UtteranceBatcher(_Engine(), latency=asr.decoded)
    try:
        for index, is_final in [(0, False), (0, True), (1, True)]:
            batcher.submit(("call", index), audio, is_final, lambda transcript, error: None)
        assert batcher.drain(5)
    finally:
        batcher.close()
    decoder = JobDecoder(_Engine(), latency=asr.decoded)  # type: ignore[arg-type]
    decoder.decode("job-1", audio, is_final=False, timeout=5)
    decoder.decode("job-2", audio, is_final=True, timeout=5)

    assert value(registry, "cc_asr_latency_seconds_count", engine="moonshine") == 3
    assert 0 <= value(registry, "cc_asr_latency_seconds_sum", engine="moonshine") < 3  # type: ignore[operator]


# ------------------------------------------------------------------ the dialer


def test_the_dialers_originates_are_counted_per_campaign() -> None:
    registry = CollectorRegistry()
    dialer = DialerMetrics(registry)

    def commands(*campaigns: int | None) -> list[OriginateCall]:
        return [OriginateCall(endpoint="PJSIP/+919800000001@trunk", flow="order_confirmation", campaign_id=c)
                for c in campaigns]  # fmt: skip

    dialer.sent(commands(7, 7, 9))
    dialer.sent(commands(7))
    dialer.sent(commands(None))  # a command without a campaign (a test's, a benchmark's)
    dialer.sent([])

    assert value(registry, "cc_dialer_originates_total", campaign="7") == 3
    assert value(registry, "cc_dialer_originates_total", campaign="9") == 1
    assert value(registry, "cc_dialer_originates_total", campaign="") == 1


# ------------------------------------------------------------------ the state gauges


def _call(call_id: str, direction: str, state: CallState) -> LiveCall:
    call = LiveCall(call_id=call_id, channel_id=f"ch-{call_id}", direction=direction, command=None)
    call.state = state
    return call


def test_pbx_counts_its_live_calls_by_direction_and_state() -> None:
    registry = CallRegistry()
    for n, (direction, state) in enumerate([
        ("outbound", CallState.WITH_BOT), ("outbound", CallState.WITH_BOT), ("outbound", CallState.DIALING),
        ("outbound", CallState.QUEUED), ("inbound", CallState.WITH_BOT), ("inbound", CallState.WITH_AGENT),
        ("outbound", CallState.ENDED),  # ended, not yet removed: not live
    ]):  # fmt: skip
        registry.add(_call(f"c{n}", direction, state))
    counts = registry.calls_by_direction()

    assert counts["outbound"] == {"dialing": 1, "screening": 0, "leaving_message": 0, "with_bot": 2,
                                  "escalating": 0, "after_hours": 0, "queued": 1, "with_agent": 0}  # fmt: skip
    assert counts["inbound"] == {**dict.fromkeys(counts["outbound"], 0), "with_bot": 1, "with_agent": 1}


def _ami(name: str, **fields: str) -> AmiEvent:
    return AmiEvent(name, fields, {})


def test_queue_callers_are_asterisks_own_counts_read_again_at_each_ami_login() -> None:
    callers = QueueCallers()
    summaries = iter([
        [{"Response": "Success"}, {"Event": "QueueSummary", "Queue": "support", "Callers": "2"},
         {"Event": "QueueSummary", "Queue": "sales", "Callers": "0"}, {"Event": "QueueSummaryComplete"}],
        [{"Response": "Success"}, {"Event": "QueueSummary", "Queue": "support", "Callers": "5"},
         {"Event": "QueueSummaryComplete"}],
    ])  # fmt: skip
    asked: list[dict[str, str]] = []

    async def action(fields: dict[str, str]) -> list[dict[str, str]]:
        asked.append(fields)
        return next(summaries)

    async def story() -> list[dict[str, int] | None]:
        seen = [callers.counts()]  # nothing read yet
        await callers.follow(True, 1, action)  # logged in: the summary
        seen.append(callers.counts())
        await callers.on_ami_event(_ami("QueueCallerJoin", Queue="sales", Count="1", Position="1"))
        await callers.on_ami_event(_ami("QueueCallerJoin", Queue="support", Count="3", Position="3"))
        await callers.on_ami_event(_ami("QueueCallerLeave", Queue="support", Count="2", Position="1"))
        await callers.on_ami_event(_ami("QueueCallerAbandon", Queue="support", Position="1"))  # no count: ignored
        await callers.follow(True, 1, action)  # same session: not asked again
        seen.append(callers.counts())
        await callers.follow(False, 1, action)  # AMI down: nothing known
        seen.append(callers.counts())
        await callers.follow(True, 2, action)  # a new session: read whole again
        seen.append(callers.counts())
        return seen

    seen = asyncio.run(story())
    assert seen == [None, {"support": 2, "sales": 0}, {"support": 2, "sales": 1}, None, {"support": 5}]
    assert asked == [{"Action": "QueueSummary"}] * 2


def _families(collector: object) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    registry_text = generate_latest(EveryMetric([collector]))  # type: ignore[arg-type,list-item]
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(registry_text.decode()):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def test_the_state_gauges_come_from_pbxs_hash_and_the_agents_table() -> None:
    gauges = PbxGauges(
        calls={"outbound": {"with_bot": 3, "queued": 1}, "inbound": {"with_bot": 0, "with_agent": 2}},
        queue_callers={"support": 1, "sales": 0},
        updated_at=1000.0,
    )  # fmt: skip
    # Through the hash, as pbx writes it and /metrics reads it.
    read_back = PbxGauges.from_hash({k.encode(): v.encode() for k, v in gauges.to_hash().items()})
    state = StateCollector(pbx_gauges=lambda: read_back, agent_states=lambda: {"available": 2, "on_call": 1},
                           clock=lambda: 1003.0, max_age_s=5.0)  # fmt: skip
    families = _families(state)

    assert families["cc_pbx_reporting"] == {(): 1.0}
    assert families["cc_calls_active"] == {
        (("direction", "inbound"), ("state", "with_agent")): 2, (("direction", "inbound"), ("state", "with_bot")): 0,
        (("direction", "outbound"), ("state", "queued")): 1, (("direction", "outbound"), ("state", "with_bot")): 3,
    }  # fmt: skip
    assert families["cc_queue_waiting_calls"] == {(("queue", "sales"),): 0, (("queue", "support"),): 1}
    assert families["cc_agents"] == {
        (("state", "available"),): 2, (("state", "on_call"),): 1, (("state", "offline"),): 0,
        (("state", "paused"),): 0, (("state", "reserved"),): 0, (("state", "ringing"),): 0,
        (("state", "wrap_up"),): 0,
    }  # fmt: skip


def test_stale_or_missing_pbx_gauges_show_pbx_not_reporting_and_no_call_counts() -> None:
    old = PbxGauges(calls={"outbound": {"with_bot": 4}}, queue_callers={"support": 2}, updated_at=1000.0)
    for gauges in (old, None):
        state = StateCollector(pbx_gauges=lambda g=gauges: g, agent_states=dict, clock=lambda: 1005.5, max_age_s=5.0)
        families = _families(state)
        assert families["cc_pbx_reporting"] == {(): 0.0}
        assert "cc_calls_active" not in families and "cc_queue_waiting_calls" not in families
        assert families["cc_agents"][(("state", "offline"),)] == 0


def test_every_metric_is_named_in_a_scrape_even_before_any_value() -> None:
    """A fresh site: nothing counted yet, and every name is there (with its help and type) once."""
    registry = CollectorRegistry()
    PbxMetrics(registry).observe(CallEnded(call_id="c1", outcome="confirmed"))
    text = generate_latest(EveryMetric([registry])).decode()  # type: ignore[arg-type]
    typed = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")]
    assert sorted(typed) == sorted(METRIC_NAMES) and len(typed) == len(set(typed))
    assert 'cc_calls_total{outcome="confirmed"} 1.0' in text


def test_fresh_registries_never_add_up() -> None:
    first, second = CollectorRegistry(), CollectorRegistry()
    PbxMetrics(first).observe(CallEnded(call_id="x", outcome="busy"))
    metrics = PbxMetrics(second)
    metrics.observe(CallEnded(call_id="x", outcome="busy"))
    metrics.observe(CallEnded(call_id="y", outcome="busy"))
    assert value(first, "cc_calls_total", outcome="busy") == 1
    assert value(second, "cc_calls_total", outcome="busy") == 2
