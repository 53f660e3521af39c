"""An agent's shift at the console, in a real browser against the real Asterisk of the test session.

Debian's chromium (driven by Playwright through ``executable_path``, launched without
``--autoplay-policy``) logs in to the console served by a live Django server and registers its
JsSIP phone over Asterisk's WebSocket transport, through a proxy whose network the test can cut.
Calls are put into its queue the way pbx escalates (a channel continued into ``cc-queue`` with
the CC_* variables).

- The ringtone plays on the first call after the log-in click, with no other gesture: until the
  ring is checked the test reads the page without one (``quiet_eval``), which Playwright's own
  evaluate would give it.
- The call: screen-pop, the layout at 1366x768, answer / mute / hold / hang up by keyboard, media
  both ways, a timed wrap-up the server keeps, the disposition saved during it, today's history.
- The network drops: the phone shows it reconnecting, registers again and takes the next call,
  on the microphone and ringer chosen in the Devices dialog.
- Paused with a reason, then logged out.
"""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Callable
from typing import Any

import pytest

from contactcenter.console.models import CallStatus, ConsoleCall
from contactcenter.people.models import Agent, AgentState, HumanQueue
from ops.stack.asterisk import AsteriskInstance
from tests.conftest import AGENT_SECRET, WEB_AGENT, WEB_AGENT_SALT, WEB_QUEUE
from tests.console.browser import assert_on_screen, new_page, quiet_eval, quiet_wait
from tests.console.factories import PASSWORD, make_world
from tests.console.netcut import cuttable_proxy

pytestmark = pytest.mark.realstack

SUMMARY = "Bottle arrived dented; wants a refund, not a replacement. Raised voice twice."
WRAP_UP_S = 3


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


def count(page: Any, line: str) -> int:
    return page.evaluate("(l) => window.ccConsole.log.filter(x => x === l).length", line)


def wait_count(page: Any, line: str, n: int, timeout_ms: int = 15_000) -> None:
    page.wait_for_function("([l, n]) => window.ccConsole.log.filter(x => x === l).length >= n", arg=[line, n],
                           timeout=timeout_ms)  # fmt: skip


RECEIVED = """async () => {
    let n = 0; const stats = await window.ccConsole.session.connection.getStats();
    stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'audio') n += r.packetsReceived; });
    return n; }"""


def test_an_agents_shift_in_the_browser(asterisk_server: AsteriskInstance, live_server, settings, chromium,
                                        transactional_db, tmp_path) -> None:  # fmt: skip
    ari = asterisk_server.ari_request
    with cuttable_proxy(asterisk_server.settings.http_port) as network:
        settings.CONSOLE_SIP_SECRET = AGENT_SECRET  # the test topology derives webagent1's password from it
        settings.CONSOLE_SIP_WS_URL = f"ws://127.0.0.1:{network.port}/ws"
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
        world = make_world(WEB_AGENT, WEB_QUEUE)
        HumanQueue.objects.filter(pk=world.queue.pk).update(wrap_up_s=WRAP_UP_S)
        # Available from an earlier session: the phone registers at once, with no click on the console.
        Agent.objects.filter(name=WEB_AGENT).update(sip_password_salt=WEB_AGENT_SALT, state=AgentState.AVAILABLE)
        page = new_page(chromium)

        def agent_channel() -> dict | None:
            return next((c for c in ari("GET", "channels") if c["name"].startswith(f"PJSIP/{WEB_AGENT}-")), None)

        def escalate(call_id: str, summary: str) -> dict:
            """A caller (a Local channel echoing what it hears) continued into cc-queue as pbx escalates."""
            return ari("POST", "channels", {
                "endpoint": f"Local/{WEB_QUEUE}@cc-queue/n", "context": "cc-test", "extension": "echo", "priority": 1,
                "variables": {
                    "CC_CALL_ID": call_id, "CC_ESCALATION_REASON": "anger", "CC_ESCALATION_SCORE": "0.91",
                    "CC_ESCALATION_SUMMARY": summary, "CC_LEAD_ID": str(world.lead.pk),
                    "CC_CAMPAIGN_ID": str(world.lead.campaign_id), "CC_WHISPER_FILE": "",
                },
            })  # fmt: skip

        def hang_up_caller(caller: dict) -> None:
            try:
                ari("DELETE", f"channels/{caller['id']}")
            except urllib.error.HTTPError:
                pass  # already gone with the agent's hang-up

        try:
            # ---- Log in: the click is the only gesture the console gets before its first call.
            page.goto(f"{live_server.url}/console/")
            assert "/console/login/" in page.url
            page.fill("input[name=username]", "priya")
            page.fill("input[name=password]", PASSWORD)
            page.click("#login")
            quiet_wait(page, "window.ccConsole && window.ccConsole.ready && window.ccConsole.registered && "
                             "window.ccConsole.log.includes('unpause -> 603')", 20, "the phone registered, unpaused")
            assert quiet_eval(page, "window.ccConsole.log.includes('ringer ready')")
            assert quiet_eval(page, "document.getElementById('phone-status').textContent") == "registered"
            contacts = asterisk_server.cli(f"pjsip show contacts {WEB_AGENT}")
            assert f"{WEB_AGENT}/sip:" in contacts, contacts

            caller = escalate(world.attempt.call_id, SUMMARY)
            quiet_wait(page, "document.getElementById('call').dataset.phase === 'ringing'", 15, "the phone ringing")
            ringing = quiet_wait(page, """(() => { const a = document.getElementById('ring-audio');
                return !a.paused && a.currentTime > 0 && {paused: a.paused, t: a.currentTime}; })()""", 5,
                                 "the ringtone playing")  # fmt: skip
            assert ringing["t"] > 0 and not ringing["paused"]
            assert quiet_eval(page, "window.ccConsole.log.includes('ring playing')")

            # ---- The screen-pop: the INVITE's reason and summary, the lead from Django.
            page.wait_for_function("document.getElementById('pop-lead').textContent.includes('A1001')", timeout=10_000)
            assert page.inner_text("#pop-reason") == "anger"
            assert page.inner_text("#pop-reason-label") == "Customer is angry"
            assert page.inner_text("#pop-summary") == SUMMARY
            assert page.inner_text("#pop-queue") == WEB_QUEUE
            assert page.inner_text("#pop-call-id") == world.attempt.call_id
            assert "Asha" in page.inner_text("#pop-lead") and "+919800000001" in page.inner_text("#pop-lead")
            assert "Asha" in page.inner_text("#call-who")
            # Everything an agent needs, on a laptop's screen at once.
            assert_on_screen(page, ["#topbar", "#states", "#phone-status", "#call", "#answer", "#hangup", "#mute",
                                    "#hold", "#pop", "#pop-curve", "#pop-transcript", "#history"])  # fmt: skip
            page.screenshot(path=str(tmp_path / "console-ringing.png"))

            # ---- Answer by keyboard: the ring stops, the call is up, media flows both ways.
            page.keyboard.press("Alt+KeyA")
            wait_count(page, "confirmed", 1)
            assert page.evaluate("document.getElementById('ring-audio').paused")
            assert "shortcut answer" in page.evaluate("window.ccConsole.log")
            channel = eventually(lambda: (c := agent_channel()) and c["state"] == "Up" and c, 10, "the agent channel Up")
            bridge = eventually(lambda: next((b for b in ari("GET", "bridges") if channel["id"] in b["channels"]), None),
                                10, "a bridge with the agent")  # fmt: skip
            assert len(bridge["channels"]) == 2
            eventually(lambda: (c := rtcp_counts(ari, channel["id"]))["rx"] > 50 and c["tx"] > 50 and c, 15,
                       "RTP both ways on the agent leg")  # fmt: skip
            eventually(lambda: page.evaluate(RECEIVED) > 50, 15, "audio packets received by the browser")
            call = ConsoleCall.objects.get(agent=world.agent)
            assert call.status == CallStatus.ANSWERED and call.reason == "anger" and call.summary == SUMMARY
            assert call.attempt_id == world.attempt.pk

            # Mute: the microphone's track is off. Hold: Asterisk stops sending (the caller hears
            # music on hold instead of the agent); resume: audio again.
            page.keyboard.press("Alt+KeyM")
            page.wait_for_function("window.ccConsole.log.includes('muted')", timeout=5_000)
            assert page.evaluate("""() => { const s = window.ccConsole.session;
                return s.isMuted().audio && s.connection.getSenders().every(x => !x.track || !x.track.enabled); }""")
            assert page.get_attribute("#mute", "aria-pressed") == "true"
            page.keyboard.press("Alt+KeyM")
            page.wait_for_function("window.ccConsole.log.includes('unmuted')", timeout=5_000)
            page.keyboard.press("Alt+KeyO")
            page.wait_for_function("window.ccConsole.log.includes('held')", timeout=10_000)
            assert page.evaluate("window.ccConsole.session.isOnHold().local")
            time.sleep(0.5)  # packets already on their way
            before = page.evaluate(RECEIVED)
            time.sleep(1.0)
            assert page.evaluate(RECEIVED) - before < 10, "audio still arrives on hold"
            page.keyboard.press("Alt+KeyO")
            page.wait_for_function("window.ccConsole.log.includes('resumed')", timeout=10_000)
            resumed = page.evaluate(RECEIVED)
            eventually(lambda: page.evaluate(RECEIVED) > resumed + 25, 10, "audio again after resuming")
            # Not while typing: Alt+H in a field is the field's.
            page.focus("#pause-reason")
            page.keyboard.press("Alt+KeyH")
            time.sleep(0.3)
            assert agent_channel() is not None and "shortcut hangup" not in page.evaluate("window.ccConsole.log")
            page.evaluate("document.activeElement.blur()")

            # ---- Hang up by keyboard: a wrap-up of the queue's 3 s, paused in the queue meanwhile.
            page.keyboard.press("Alt+KeyH")
            page.wait_for_selector("#wrapup:not([hidden])", timeout=10_000)
            wait_count(page, "pause -> 603", 1)
            eventually(lambda: agent_channel() is None, 10, "the agent channel gone")
            hang_up_caller(caller)
            assert "paused" in asterisk_server.cli(f"queue show {WEB_QUEUE}").lower()
            assert page.inner_text("#agent-state") == "wrap_up"
            # The browser cannot cut it short: the server keeps the time.
            early = page.evaluate("""async () => { const r = await fetch('/console/api/wrap-up/end', {method: 'POST',
                headers: {'X-CSRFToken': document.cookie.match(/csrftoken=([^;]+)/)[1]}}); return r.status; }""")
            assert early == 409
            # The disposition saved during the wrap-up, which goes on to its end.
            page.select_option("#disposition-code", "resolved")
            page.fill("#disposition-note", "refund issued")
            page.click("#save-disposition")
            wait_count(page, "disposed resolved", 1)
            assert page.inner_text("#agent-state") == "wrap_up"
            page.wait_for_function("window.ccConsole.log.includes('wrap-up over -> available')", timeout=10_000)
            wait_count(page, "unpause -> 603", 2)
            page.wait_for_selector("#wrapup", state="hidden", timeout=5_000)
            call.refresh_from_db()
            world.agent.refresh_from_db()
            assert call.status == CallStatus.DISPOSED and call.disposition.code == "resolved" and call.note == "refund issued"
            assert world.agent.state == AgentState.AVAILABLE
            assert (world.agent.state_changed_at - call.ended_at).total_seconds() >= WRAP_UP_S
            world.attempt.refresh_from_db()
            assert world.attempt.disposition.code == "resolved" and world.attempt.disposition_note == "refund issued"
            assert "paused" not in asterisk_server.cli(f"queue show {WEB_QUEUE}").lower()
            # Today's calls: this one, with its disposition and note.
            page.wait_for_function("document.getElementById('history-body').textContent.includes('refund issued')",
                                   timeout=5_000)  # fmt: skip
            row = page.inner_text(f"#history-body tr[data-call='{call.pk}']")
            assert "Asha" in row and "Resolved" in row and WEB_QUEUE in row and "Customer is angry" in row

            # ---- The network drops: the phone says so, reconnects, registers again.
            network.cut()
            page.wait_for_function("document.getElementById('phone-status').textContent.startsWith('reconnecting in')",
                                   timeout=10_000)  # fmt: skip
            shown = page.inner_text("#phone-status")
            network.restore()
            wait_count(page, "registered", 2, timeout_ms=40_000)
            assert page.inner_text("#phone-status") == "registered", shown
            wait_count(page, "unpause -> 603", 3)  # and told its queues again
            eventually(lambda: f"{WEB_AGENT}/sip:" in asterisk_server.cli(f"pjsip show contacts {WEB_AGENT}"), 10,
                       "the contact registered again")  # fmt: skip

            # The devices: a microphone and a ringer chosen in the dialog, kept for the next call.
            page.click("#devices-open")
            page.wait_for_selector("#devices[open]")
            mics = page.eval_on_selector_all("#device-mic option", "os => os.map(o => o.value).filter(Boolean)")
            outputs = page.eval_on_selector_all("#device-ring option", "os => os.map(o => o.value).filter(Boolean)")
            # chromium's fake devices: three microphones and three outputs.
            assert len(mics) >= 2 and len(outputs) >= 2, (mics, outputs)
            page.select_option("#device-mic", mics[-1])
            page.select_option("#device-ring", outputs[-1])
            page.select_option("#device-speaker", outputs[-2])
            page.click("#devices-close")
            stored = page.evaluate("JSON.parse(localStorage.getItem('cc.console.devices'))")
            assert stored == {"mic": mics[-1], "ring": outputs[-1], "speaker": outputs[-2]}

            # ---- The next call, over the new connection.
            second = escalate("", "Second caller.")
            page.wait_for_selector("#call[data-phase=ringing]", timeout=15_000)
            page.wait_for_function("window.ccConsole.log.filter(l => l === 'ring playing').length === 2", timeout=5_000)
            assert page.evaluate("document.getElementById('ring-audio').sinkId") == outputs[-1]
            page.click("#answer")
            wait_count(page, "confirmed", 2)
            eventually(lambda: (c := agent_channel()) and c["state"] == "Up", 10, "the second call Up")
            used = page.evaluate("window.ccConsole.session.connection.getSenders()[0].track.getSettings().deviceId")
            assert used == mics[-1]
            speaker = "document.getElementById('remote-audio').sinkId"
            page.wait_for_function(f"{speaker} === '{outputs[-2]}'", timeout=5_000)
            page.click("#hangup")
            page.wait_for_selector("#wrapup:not([hidden])", timeout=10_000)
            hang_up_caller(second)
            page.select_option("#disposition-code", "call_back")
            page.click("#save-disposition")
            wait_count(page, "disposed call_back", 1)
            page.wait_for_function("window.ccConsole.log.filter(l => l === 'wrap-up over -> available').length === 2",
                                   timeout=10_000)  # fmt: skip
            assert network.connections >= 2

            # ---- Paused for lunch: the queue member is paused with the reason.
            page.select_option("#pause-reason", "Lunch")
            page.click("#state-paused")
            wait_count(page, "pause -> 603", 3)
            assert page.inner_text("#agent-reason") == "Lunch"
            queue = asterisk_server.cli(f"queue show {WEB_QUEUE}")
            assert "paused" in queue.lower() and "Lunch" in queue, queue
            world.agent.refresh_from_db()
            assert (world.agent.state, world.agent.pause_reason) == (AgentState.PAUSED, "Lunch")

            # ---- Logged out: paused and unregistered.
            page.click("#state-offline")
            page.wait_for_function("window.ccConsole.log.includes('unregistered')", timeout=10_000)
            eventually(lambda: f"{WEB_AGENT}/sip:" not in asterisk_server.cli("pjsip show contacts"), 10,
                       "the contact removed")  # fmt: skip
            world.agent.refresh_from_db()
            assert world.agent.state == AgentState.OFFLINE
            log = page.evaluate("window.ccConsole.log")
            errors = [m for m in log if "failed" in m and "-> 603" not in m]
            assert not errors, errors
            assert not [m for m in page.console_messages if m.startswith("PAGEERROR")], page.console_messages
        finally:
            page.context.close()


def test_a_console_opened_without_a_click_says_its_ringer_is_locked(live_server, settings, chromium,
                                                                    transactional_db) -> None:  # fmt: skip
    """The other side of the ringtone test: the same console reached without any gesture (a
    session cookie, no log-in click) may not play sound, and says so until clicked."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    world = make_world()
    from django.test import Client

    client = Client()
    client.force_login(world.user)
    page = new_page(chromium)
    try:
        host = live_server.url.split("//", 1)[1].split(":")[0]
        page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host,
                                   "path": "/"}])  # fmt: skip
        page.goto(f"{live_server.url}/console/")
        quiet_wait(page, "window.ccConsole && window.ccConsole.ready", 15, "the console started")
        assert quiet_eval(page, "window.ccConsole.log.some(l => l.startsWith('ringer locked'))")
        assert quiet_eval(page, "document.getElementById('ringer').textContent") == "ringer: click to enable"
        page.click("#ringer")  # a click is a gesture: the ringer may play now
        page.wait_for_function("window.ccConsole.log.includes('ringer ready')", timeout=5_000)
        assert page.inner_text("#ringer") == "ringer: ready"
    finally:
        page.context.close()
