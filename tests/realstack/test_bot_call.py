"""The AI agent on real calls: Asterisk → ExternalMedia → VAD → ASR → dialog + VoiceWatch → TTS.

Simulated customers (ops.simulator.customer) answer each bot prompt with synthesised speech;
one confirms its order with the bot, one is angry and must reach the human queue, where the
simulated agent (sipp) answers with the escalation reason in its INVITE.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from ops.simulator.customer import CustomerScript
from ops.simulator.sip_agent import SippAgent
from ops.stack.asterisk import AsteriskInstance
from pbx.api import (
    AgentConnected,
    CallEnded,
    CallEscalated,
    CallQueued,
    CallStarted,
    DecisionMade,
    InboundRoute,
    PbxConfig,
    ReturnedToBot,
    UtteranceHeard,
)
from pbx.bot.runtime import load_bot_runtime
from pbx.dialog.library import SAMPLE_LEAD
from tests.realstack.bot_calls import bot_pbx_settings
from tests.realstack.bot_calls import events_of as _of
from tests.realstack.bot_calls import run_bot_calls as _run_calls

pytestmark = pytest.mark.realstack


@pytest.fixture(scope="module")
def bot_runtime(asterisk_server: AsteriskInstance, tmp_path_factory: pytest.TempPathFactory):
    settings = bot_pbx_settings(asterisk_server)
    # English calls: the stack's English engine (Moonshine base-en), as in production.
    runtime = load_bot_runtime(settings, {**os.environ, "CC_ASR_ENGINE": "moonshine",
                                          "CC_TTS_CACHE_DIR": str(tmp_path_factory.mktemp("tts"))})  # fmt: skip
    assert runtime.status["ready"], runtime.status
    return settings, runtime


def _observed(name: str, **labels: str) -> float:
    """How many values this process's ``name`` histogram has taken (pbx's, as /metrics sums it)."""
    return REGISTRY.get_sample_value(f"{name}_count", labels) or 0.0


def test_routine_customer_confirms_with_the_bot(asterisk_server: AsteriskInstance, bot_runtime) -> None:
    script = CustomerScript("confirms", ("Yes, please deliver it.",))
    turns = _observed("cc_bot_turn_latency_seconds")
    finals = _observed("cc_asr_latency_seconds", engine="moonshine")
    events, ids = _run_calls(asterisk_server, bot_runtime, [script], None,
                             until=lambda ev, ids: any(isinstance(e, CallEnded) for e in ev))  # fmt: skip
    # The metrics where pbx measures them: the bot answered a turn, Moonshine decoded a final.
    assert _observed("cc_bot_turn_latency_seconds") > turns
    assert _observed("cc_asr_latency_seconds", engine="moonshine") > finals
    call_id = ids["confirms"]
    heard = [e.text.lower() for e in _of(events, call_id, UtteranceHeard) if e.speaker == "customer" and e.text]
    assert any("yes" in text or "deliver" in text for text in heard), heard
    bot_lines = [e.text for e in _of(events, call_id, UtteranceHeard) if e.speaker == "bot"]
    assert bot_lines and "A1234" in bot_lines[0]
    [ended] = _of(events, call_id, CallEnded)
    assert ended.outcome == "confirmed", (ended, heard)
    assert not _of(events, call_id, CallEscalated)


def test_angry_customer_is_escalated_and_answered_by_an_agent(
    asterisk_server: AsteriskInstance, bot_runtime, sim_agent_port: int, tmp_path: Path
) -> None:
    agent = SippAgent("agent1", sim_agent_port, tmp_path / "agent")
    agent.start()
    script = CustomerScript(
        "angry",
        ("This is ridiculous! I never ordered this and I am sick of your useless calls. "
         "I want to speak to a real person right now!",),
        interrupt_after_s=2.0,
    )  # fmt: skip
    try:
        events, ids = _run_calls(
            asterisk_server, bot_runtime, [script], agent,
            until=lambda ev, ids: any(isinstance(e, AgentConnected) for e in ev),
        )  # fmt: skip
    finally:
        agent.stop()
    call_id = ids["angry"]
    [escalated] = _of(events, call_id, CallEscalated)
    decision = next(e for e in _of(events, call_id, DecisionMade) if e.escalate)
    assert escalated.reason == decision.reason and escalated.reason in {"anger", "human_request", "dispute_fraud"}
    join = next(iter(_of(events, call_id, CallQueued)))
    assert join.wait_s is not None and join.wait_s < 8  # bridging phrase + continue into the queue
    assert agent.answered() == [(escalated.reason, call_id)]


def test_inbound_call_is_answered_by_the_flow_its_did_maps_to(asterisk_server: AsteriskInstance, bot_runtime) -> None:
    lead = {**SAMPLE_LEAD, "first_name": "Nikhil", "order_id": "Z9"}
    config = PbxConfig(version=3, inbound={"5551234": InboundRoute(flow="order_confirmation", lead=lead)})
    script = CustomerScript("caller", ("Yes, please deliver it.",))
    events, _ = _run_calls(asterisk_server, bot_runtime, [script], None, inbound=config,
                           until=lambda ev, ids: any(isinstance(e, CallEnded) for e in ev))  # fmt: skip
    [started] = [e for e in events if isinstance(e, CallStarted)]
    assert started.direction == "inbound" and started.endpoint == "5551234" and started.flow == "order_confirmation"
    bot_lines = [e.text for e in _of(events, started.call_id, UtteranceHeard) if e.speaker == "bot"]
    assert "Nikhil" in bot_lines[0] and "Z9" in bot_lines[0]
    [ended] = _of(events, started.call_id, CallEnded)
    assert ended.outcome == "confirmed"


def test_nobody_answers_so_the_bot_says_the_safe_harbour_message(asterisk_server: AsteriskInstance,
                                                                bot_runtime) -> None:  # fmt: skip
    """`sales` has no reachable agent: after its maximum wait the caller is back with the bot."""
    message = "Sorry, nobody is free right now. We will call you back today. Goodbye."
    script = CustomerScript("wants a person", ("Can I please talk to a real person?",), linger_s=20)
    events, ids = _run_calls(asterisk_server, bot_runtime, [script], None, escalation_queue="sales",
                             variables={"CC_SAFE_HARBOUR": message},
                             until=lambda ev, ids: any(isinstance(e, CallEnded) for e in ev))  # fmt: skip
    call_id = ids["wants a person"]
    assert [e.status for e in _of(events, call_id, ReturnedToBot)] == ["TIMEOUT"]
    bot_lines = [e.text for e in _of(events, call_id, UtteranceHeard) if e.speaker == "bot"]
    assert bot_lines[-1] == message
    [ended] = _of(events, call_id, CallEnded)
    assert ended.outcome == "callback"
