"""A lead's name with dialplan syntax in it reaches the agent as text and changes nothing in the dialplan.

The call engine escalates two calls into the support queue, the way the bot does (the summary
is ``whisper_text`` of the lead): one for a plain name, one for ``Ra"hul $[1+1] ${CC_CALL_ID}; x``.
The simulated agent (sipp) answers both and records their X-CC-* headers.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.error
from pathlib import Path

import aiohttp
import pytest

from ops.simulator.scripted_bot import QuietConversation
from ops.simulator.sip_agent import SippAgent
from ops.stack.asterisk import AsteriskInstance
from pbx.ami import AmiLink
from pbx.ami_listener import AmiQueueListener
from pbx.api import AgentConnected, CallEnded, CallEscalated, Event, OriginateCall
from pbx.ari.client import HttpAriRest
from pbx.bot.phrases import whisper_text
from pbx.calls.engine import CallEngine
from pbx.calls.live import LiveCall
from pbx.media.codec import SLIN16
from tests.realstack.harness import ari_app, wait_for_event

pytestmark = pytest.mark.realstack

PLAIN_NAME = "Rahul"
NASTY_NAME = 'Ra"hul $[1+1] ${CC_CALL_ID}; x'
LEAD = {"order_id": "A1001", "item": "a steel water bottle"}


class EscalatesAtOnce(QuietConversation):
    """Hands the caller to the support queue as soon as the call starts, summary and all."""

    def __init__(self, lead: dict[str, str]) -> None:
        self.lead = lead

    async def start(self, io) -> None:
        await io.escalate("support", "anger", 0.9, whisper_text("anger", self.lead))


def _messages_log(asterisk: AsteriskInstance) -> Path:
    return asterisk.root / asterisk.settings.instance_dir.lstrip("/") / "log" / "messages.log"


def _complaints(text: str) -> list[str]:
    """What Asterisk logged as wrong with a dialplan line: expression, argument or function trouble."""
    return [line for line in text.splitlines() if re.search(r"WARNING|ERROR", line)
            and re.search(r"ast_expr|syntax|pbx_|app_exec|func_|Set|ExecIf|GotoIf|PJSIP_HEADER", line)]  # fmt: skip


def test_a_leads_name_reaches_the_agent_as_text(asterisk_server: AsteriskInstance, sim_agent_port: int,
                                                tmp_path: Path) -> None:  # fmt: skip
    s = asterisk_server.settings
    agent = SippAgent("agent1", sim_agent_port, tmp_path / "agent")
    agent.start()
    events: list[Event] = []
    log = _messages_log(asterisk_server)
    log_before = log.read_text(errors="replace") if log.exists() else ""

    async def publish(event: Event) -> None:
        events.append(event)

    async def one_call(engine: CallEngine, rest: HttpAriRest, name: str) -> str:
        command = OriginateCall(endpoint="Local/customer@cc-sim", flow="scripted", lead={"first_name": name, **LEAD},
                                variables={"CC_LEAD_ID": "7", "CC_CAMPAIGN_ID": "3"})  # fmt: skip
        await engine.originate(command)
        mine = lambda kind: lambda e: isinstance(e, kind) and e.call_id == command.call_id  # noqa: E731
        escalated = await wait_for_event(events, mine(CallEscalated), 25)
        assert escalated.queue == "support" and escalated.reason == "anger"
        try:
            connected = await wait_for_event(events, mine(AgentConnected), 20)
        except TimeoutError:
            raise AssertionError(f"no agent answered the call for {name!r}: "
                                 f"{asterisk_server.cli('queue show support')} {agent.process.log_tail(5)}") from None
        assert connected.agent == "agent1"
        await rest.delete(f"channels/{command.call_id}")
        ended = await wait_for_event(events, mine(CallEnded), 10)
        assert ended.outcome == "escalated"
        return command.call_id

    async def go() -> tuple[str, str]:
        ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, asterisk_server.ari_url, s.ari_user, s.ari_password)

            def conversation(call: LiveCall) -> EscalatesAtOnce:
                return EscalatesAtOnce(dict(call.command.lead) if call.command else {})

            engine = CallEngine(rest, publish, s.ari_app, conversation, SLIN16)
            listener = asyncio.create_task(AmiQueueListener(ami).run([engine.on_ami_event]))
            await ami.start()
            try:
                async with ari_app(session, asterisk_server, s.ari_app, engine.on_event):
                    return await one_call(engine, rest, PLAIN_NAME), await one_call(engine, rest, NASTY_NAME)
            finally:
                ami.close()
                listener.cancel()

    try:
        plain, nasty = asyncio.run(go())
    finally:
        agent.stop()
    # The same dialplan path for both: the agent got each call with its own id and reason.
    assert agent.answered() == [("anger", plain), ("anger", nasty)]
    summaries = agent.summaries()
    assert summaries[plain] == whisper_text("anger", {"first_name": PLAIN_NAME, **LEAD})
    # The name arrives as the text it is: nothing in it was evaluated, substituted or split.
    assert summaries[nasty] == whisper_text("anger", {"first_name": NASTY_NAME, **LEAD})
    assert NASTY_NAME in summaries[nasty]
    log_after = log.read_text(errors="replace") if log.exists() else ""
    assert not _complaints(log_after[len(log_before):]), _complaints(log_after[len(log_before):])


def test_a_queue_this_site_lacks_falls_back_through_the_filtered_queue_name(
    asterisk_server: AsteriskInstance,
) -> None:
    """The fallback queue reaches Goto() through FILTER: a real queue name passes whole."""
    ari = asterisk_server.ari_request
    caller = ari("POST", "channels", {
        "endpoint": "Local/wait@cc-test/n", "context": "cc-queue", "extension": "no-such-queue", "priority": 1,
        "variables": {"CC_FALLBACK_QUEUE": "support", "CC_CALL_ID": "fallback-test"},
    })  # fmt: skip
    try:
        # support, not the fail-safe queue (sales): the name came through FILTER whole.
        deadline = time.monotonic() + 10
        waiting = asterisk_server.cli("queue show support")
        while "support has 1 call" not in waiting and time.monotonic() < deadline:
            time.sleep(0.2)
            waiting = asterisk_server.cli("queue show support")
        assert "support has 1 call" in waiting, waiting
        kept = ari("GET", f"channels/{caller['id']}/variable", variable="FILTER(-._0-9A-Za-z,my-queue.2_x;$[1],y)")
        assert kept["value"] == "my-queue.2_x1y"
    finally:
        try:
            ari("DELETE", f"channels/{caller['id']}")
        except urllib.error.HTTPError:
            pass  # already gone: the assertion above says why
