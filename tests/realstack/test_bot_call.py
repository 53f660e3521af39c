"""The AI agent on real calls: Asterisk → ExternalMedia → VAD → ASR → dialog + VoiceWatch → TTS.

Simulated customers (ops.simulator.customer) answer each bot prompt with synthesised speech;
one confirms its order with the bot, one is angry and must reach the human queue, where the
simulated agent (sipp) answers with the escalation reason in its INVITE.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import aiohttp
import pytest

from ops.simulator.customer import CustomerScript, SimulatedCustomers, flite_voice
from ops.simulator.sip_agent import SippAgent
from ops.stack.asterisk import AsteriskInstance
from pbx.ami import AmiLink
from pbx.ami_listener import AmiQueueListener
from pbx.api import (
    AgentConnected,
    CallEnded,
    CallEscalated,
    CallQueued,
    CallStarted,
    DecisionMade,
    Event,
    InboundRoute,
    OriginateCall,
    PbxConfig,
    ReturnedToBot,
    UtteranceHeard,
)
from pbx.ari.client import HttpAriRest
from pbx.bot.runtime import load_bot_runtime
from pbx.calls.channels import hang_up
from pbx.calls.engine import CallEngine
from pbx.dialog.library import SAMPLE_LEAD
from pbx.media.codec import ULAW
from pbx.settings import PbxSettings
from tests.realstack.harness import ari_app

pytestmark = pytest.mark.realstack

SIM_APP = "ccsim"


@pytest.fixture(scope="module")
def bot_runtime(asterisk_server: AsteriskInstance, tmp_path_factory: pytest.TempPathFactory):
    s = asterisk_server.settings
    media_host = asterisk_server.root / s.instance_dir.lstrip("/") / "spool" / "media"
    settings = PbxSettings(
        ari_url=asterisk_server.ari_url, ari_user=s.ari_user, ari_password=s.ari_password, ari_app=s.ari_app,
        ami_port=s.ami_port, ami_user=s.ami_user, ami_secret=s.ami_secret, failsafe_queue="support",
        media_dir=str(media_host), media_dir_asterisk=f"{s.instance_dir}/spool/media",
    )  # fmt: skip
    # English calls: the stack's English engine (Moonshine base-en), as in production.
    runtime = load_bot_runtime(settings, {**os.environ, "CC_ASR_ENGINE": "moonshine",
                                          "CC_TTS_CACHE_DIR": str(tmp_path_factory.mktemp("tts"))})  # fmt: skip
    assert runtime.status["ready"], runtime.status
    return settings, runtime


def _run_calls(asterisk: AsteriskInstance, bot_runtime, scripts: list[CustomerScript], agent: SippAgent | None,
               until, timeout: float = 90, inbound: PbxConfig | None = None, escalation_queue: str = "support",
               variables: dict[str, str] | None = None) -> tuple[list[Event], dict[str, str]]:  # fmt: skip
    """Originate one call per script; returns the events and {script name: call id}."""
    settings, runtime = bot_runtime
    s = asterisk.settings
    events: list[Event] = []
    call_ids: dict[str, str] = {}

    async def publish(event: Event) -> None:
        events.append(event)

    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, asterisk.ari_url, s.ari_user, s.ari_password)

            async def route(did: str):
                return inbound.route_for(did) if inbound is not None else None

            engine = CallEngine(rest, publish, s.ari_app, runtime.conversations, ULAW, "support", runtime.prompt_files,
                                inbound_routes=route)  # fmt: skip
            customers = SimulatedCustomers(rest, SIM_APP, flite_voice(),
                                           asterisk.root / s.instance_dir.lstrip("/") / "spool" / "sim",
                                           f"{s.instance_dir}/spool/sim")  # fmt: skip
            ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
            listener = asyncio.create_task(AmiQueueListener(ami).run([engine.on_ami_event]))
            await ami.start()
            try:
                async with ari_app(session, asterisk, s.ari_app, engine.on_event), \
                        ari_app(session, asterisk, SIM_APP, customers.on_event):
                    await _place_calls(engine, customers, rest)
            finally:
                ami.close()
                listener.cancel()

    async def _place_calls(engine: CallEngine, customers: SimulatedCustomers, rest: HttpAriRest) -> None:
        for script in scripts:
            if inbound is not None:
                # The customer calls in: its channel is the caller, our DID answers.
                run = customers.register(script)
                await rest.post("channels", endpoint="Local/5551234@from-trunk", app=SIM_APP,
                                appArgs=run.token)  # fmt: skip
                call_ids[script.name] = ""
                continue
            endpoint, _ = customers.endpoint(script)
            command = OriginateCall(endpoint=endpoint, flow="order_confirmation", lead=dict(SAMPLE_LEAD),
                                    escalation_queue=escalation_queue, variables=variables or {})  # fmt: skip
            call_ids[script.name] = command.call_id
            await engine.originate(command)
        try:
            async with asyncio.timeout(timeout):
                while not until(events, call_ids):
                    await asyncio.sleep(0.1)
        except TimeoutError:
            story = "\n".join(f"  {e.type} {getattr(e, 'speaker', '')} {getattr(e, 'text', '')}"
                              f"{getattr(e, 'reason', '') or ''} {getattr(e, 'name', '')} {getattr(e, 'outcome', '')} {getattr(e, 'cause', '')} {getattr(e, 'detail', '')} {getattr(e, 'channel', '')}" for e in events)
            runs = {r.script.name: (r.prompts_heard, r.lines_said) for r in customers.runs.values()}
            raise AssertionError(f"timed out; customers (prompts heard, lines said) {runs}; events:\n{story}\n{asterisk.log_tail(400)}") from None
        for call_id in call_ids.values():
            if call_id in engine.calls:
                await hang_up(rest, engine.calls[call_id].channel_id)
        await asyncio.sleep(0.5)

    asyncio.run(go())
    return events, call_ids


def _of(events: list[Event], call_id: str, kind: type) -> list:
    return [e for e in events if isinstance(e, kind) and e.call_id == call_id]


def test_routine_customer_confirms_with_the_bot(asterisk_server: AsteriskInstance, bot_runtime) -> None:
    script = CustomerScript("confirms", ("Yes, please deliver it.",))
    events, ids = _run_calls(asterisk_server, bot_runtime, [script], None,
                             until=lambda ev, ids: any(isinstance(e, CallEnded) for e in ev))  # fmt: skip
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
