"""The agent console in a real browser against the real Asterisk of the test session.

Debian's chromium (driven by Playwright through ``executable_path``) logs in to the console
served by a live Django server, registers its JsSIP phone over Asterisk's WebSocket transport,
and takes a call put into its queue the way pbx escalates (a channel continued into
``cc-queue`` with the CC_* variables): screen-pop, answer, media both ways, hang-up, disposition.
"""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Callable
from typing import Any

import pytest

from contactcenter.console.models import CallStatus, ConsoleCall
from contactcenter.people.models import Agent, AgentState
from ops.stack.asterisk import AsteriskInstance
from tests.conftest import AGENT_SECRET, WEB_AGENT, WEB_AGENT_SALT, WEB_QUEUE
from tests.console.browser import browser_page, chromium_path  # noqa: F401 (fixtures)
from tests.console.factories import PASSWORD, make_world

pytestmark = pytest.mark.realstack

SUMMARY = "Bottle arrived dented; wants a refund, not a replacement. Raised voice twice."


def eventually(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def rtcp_counts(ari: Callable[..., Any], channel_id: str) -> dict[str, int]:
    stats = ari("GET", f"channels/{channel_id}/variable", variable="CHANNEL(rtcp,all)")["value"]
    fields = dict(part.split("=", 1) for part in stats.split(";") if "=" in part)
    return {"rx": int(fields.get("rxcount", 0)), "tx": int(fields.get("txcount", 0))}


def test_agent_takes_an_escalated_call_in_the_browser(asterisk_server: AsteriskInstance, live_server, settings,
                                                      browser_page, transactional_db, tmp_path) -> None:  # fmt: skip
    settings.CONSOLE_SIP_SECRET = AGENT_SECRET  # the test topology derives webagent1's password from it
    settings.CONSOLE_SIP_WS_URL = f"ws://127.0.0.1:{asterisk_server.settings.http_port}/ws"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    world = make_world(WEB_AGENT, WEB_QUEUE)
    Agent.objects.filter(name=WEB_AGENT).update(sip_password_salt=WEB_AGENT_SALT)  # the salt the session's Asterisk has
    ari = asterisk_server.ari_request
    page = browser_page
    console_log = lambda: page.evaluate("window.ccConsole ? window.ccConsole.log : []")  # noqa: E731

    # Log in; the agent starts logged out, so the phone is not registered yet.
    page.goto(f"{live_server.url}/console/")
    assert "/console/login/" in page.url
    page.fill("input[name=username]", "priya")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_function("window.ccConsole && window.ccConsole.ready", timeout=10_000)
    assert page.inner_text("#phone-status") == "not registered"

    # Available: register over WebSocket, then unpause the queue member through the dialplan.
    page.click("#state-available")
    page.wait_for_function("window.ccConsole.log.includes('unpause -> 603')", timeout=15_000)
    assert page.inner_text("#phone-status") == "registered"
    contacts = asterisk_server.cli(f"pjsip show contacts {WEB_AGENT}")
    assert f"{WEB_AGENT}/sip:" in contacts, contacts
    queue = asterisk_server.cli(f"queue show {WEB_QUEUE}")
    assert WEB_AGENT in queue and "paused" not in queue.lower(), queue

    # Pause and back: the member follows.
    page.click("#state-paused")
    page.wait_for_function("window.ccConsole.log.filter(l => l === 'pause -> 603').length === 1", timeout=10_000)
    assert "paused" in asterisk_server.cli(f"queue show {WEB_QUEUE}").lower()
    page.click("#state-available")
    page.wait_for_function("window.ccConsole.log.filter(l => l === 'unpause -> 603').length === 2", timeout=10_000)
    world.agent.refresh_from_db()
    assert world.agent.state == AgentState.AVAILABLE

    # Escalate a call the way pbx does: the caller's channel continues into cc-queue,<queue> with
    # the CC_* variables set. Here the caller is a Local channel whose far end echoes what it hears.
    caller = ari("POST", "channels", {
        "endpoint": f"Local/{WEB_QUEUE}@cc-queue/n", "context": "cc-test", "extension": "echo", "priority": 1,
        "variables": {
            "CC_CALL_ID": world.attempt.call_id, "CC_ESCALATION_REASON": "anger", "CC_ESCALATION_SCORE": "0.91",
            "CC_ESCALATION_SUMMARY": SUMMARY, "CC_LEAD_ID": str(world.lead.pk),
            "CC_CAMPAIGN_ID": str(world.lead.campaign_id), "CC_WHISPER_FILE": "",
        },
    })  # fmt: skip

    # Screen-pop: the reason and summary from the INVITE's X-CC-* headers, the lead from Django.
    page.wait_for_selector("#call:not([hidden])", timeout=15_000)
    page.wait_for_function("document.getElementById('pop-lead').textContent.includes('A1001')", timeout=10_000)
    assert page.inner_text("#pop-reason") == "anger"
    assert page.inner_text("#pop-reason-label") == "Customer is angry"
    assert page.inner_text("#pop-summary") == SUMMARY
    assert page.inner_text("#pop-queue") == WEB_QUEUE
    assert page.inner_text("#pop-call-id") == world.attempt.call_id
    assert "Asha" in page.inner_text("#pop-lead") and "+919800000001" in page.inner_text("#pop-lead")
    page.screenshot(path=str(tmp_path / "screen-pop.png"))

    page.click("#answer")
    page.wait_for_function("window.ccConsole.log.includes('confirmed')", timeout=15_000)

    # Asterisk: the agent's channel is Up and bridged with the caller, and RTP flows both ways.
    def agent_channel() -> dict | None:
        return next((c for c in ari("GET", "channels") if c["name"].startswith(f"PJSIP/{WEB_AGENT}-")), None)

    channel = eventually(lambda: (c := agent_channel()) and c["state"] == "Up" and c, 10, "the agent channel Up")
    bridge = eventually(lambda: next((b for b in ari("GET", "bridges") if channel["id"] in b["channels"]), None),
                        10, "a bridge with the agent")  # fmt: skip
    assert len(bridge["channels"]) == 2
    assert "Up" in asterisk_server.cli("core show channels")
    counts = eventually(lambda: (c := rtcp_counts(ari, channel["id"]))["rx"] > 50 and c["tx"] > 50 and c, 15,
                        "RTP both ways on the agent leg")  # fmt: skip
    # The browser hears the echo of its own (fake) microphone.
    received = eventually(lambda: page.evaluate("""async () => {
        let n = 0; const stats = await window.ccConsole.session.connection.getStats();
        stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'audio') n += r.packetsReceived; });
        return n; }""") > 50, 15, "audio packets received by the browser")  # fmt: skip
    assert received and counts
    call = ConsoleCall.objects.get(agent=world.agent)
    assert call.status == CallStatus.ANSWERED and call.reason == "anger" and call.summary == SUMMARY
    assert call.attempt_id == world.attempt.pk

    # Hang up: wrap-up pauses the member until the disposition is saved.
    page.click("#hangup")
    page.wait_for_selector("#wrapup:not([hidden])", timeout=10_000)
    page.wait_for_function("window.ccConsole.log.includes('pause -> 603') && "
                           "window.ccConsole.log.filter(l => l === 'pause -> 603').length === 2", timeout=10_000)  # fmt: skip
    eventually(lambda: agent_channel() is None, 10, "the agent channel gone")
    try:
        ari("DELETE", f"channels/{caller['id']}")
    except urllib.error.HTTPError:
        pass  # already gone with the agent's hang-up
    assert "paused" in asterisk_server.cli(f"queue show {WEB_QUEUE}").lower()

    page.select_option("#disposition-code", "resolved")
    page.fill("#disposition-note", "refund issued")
    page.click("#save-disposition")
    page.wait_for_function("window.ccConsole.log.includes('disposed resolved') && "
                           "window.ccConsole.log.filter(l => l === 'unpause -> 603').length === 3", timeout=10_000)  # fmt: skip

    call.refresh_from_db()
    assert call.status == CallStatus.DISPOSED and call.disposition.code == "resolved" and call.note == "refund issued"
    assert call.answered_at is not None and call.ended_at is not None and call.disposed_by_id == world.user.pk
    world.attempt.refresh_from_db()
    assert world.attempt.disposition.code == "resolved" and world.attempt.disposition_note == "refund issued"
    world.agent.refresh_from_db()
    assert world.agent.state == AgentState.AVAILABLE
    assert "paused" not in asterisk_server.cli(f"queue show {WEB_QUEUE}").lower()

    # Logged out: paused and unregistered.
    page.click("#state-offline")
    page.wait_for_function("window.ccConsole.log.includes('unregistered')", timeout=10_000)
    eventually(lambda: f"{WEB_AGENT}/sip:" not in asterisk_server.cli("pjsip show contacts"), 10,
               "the contact removed")  # fmt: skip
    world.agent.refresh_from_db()
    assert world.agent.state == AgentState.OFFLINE
    errors = [m for m in console_log() if "failed" in m and "-> 603" not in m]
    assert not errors, errors
