"""The supervisor page in a real browser (Debian's chromium, without --autoplay-policy): the
site over ASGI with the wallboard's feeder on a real Redis, the supervisor's phone (JsSIP,
through ``phone/phone.js``) registered on the session's Asterisk as ``webagent1``.

pbx's side is played by hand: its events go onto the events stream the feeder tails, and its
supervisor leg is a call Asterisk places to the phone with ``X-CC-Supervise: listen <call id>``
(the header pbx sends), whose far end echoes what it hears.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from contactcenter.people.models import Agent, AgentState
from ops.stack.asterisk import AsteriskInstance
from pbx.api import CallAnswered, CallStarted, DecisionMade, to_fields
from tests.conftest import AGENT_SECRET, WEB_AGENT, WEB_AGENT_SALT
from tests.console.browser import chromium_path  # noqa: F401 (fixture)
from tests.console.factories import make_world
from tests.console.test_browser_live import asgi_server  # noqa: F401 (fixture)
from tests.supervisors.factories import PASSWORD, make_pause_reasons, make_supervisor
from tests.supervisors.test_realstack import Stream

pytestmark = pytest.mark.realstack

# The acceptance forbids --autoplay-policy: the page plays the call's audio after a click.
ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--no-sandbox"]


@pytest.fixture
def page(chromium_path: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:  # noqa: F811
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls between Playwright's
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.fixture
def floor(settings, redis_server) -> Iterator[str]:
    """A wallboard feeder of this test's own: its own events stream, lock and snapshot keys."""
    tag = uuid.uuid4().hex[:8]
    settings.WALLBOARD_EVENTS_STREAM = events = f"test:{tag}:events"
    settings.WALLBOARD_KEY_PREFIX = f"test:{tag}:wallboard"
    settings.WALLBOARD_GROUP = f"wallboard-{tag}"
    yield events
    client = redis.Redis.from_url(redis_server.url)
    client.delete(events, *client.keys(f"test:{tag}:*"))
    client.close()


def test_a_supervisor_pauses_an_agent_and_listens_to_an_ai_call(
    asterisk_server: AsteriskInstance, asgi_server: str, floor: str,  # noqa: F811
    page, redis_server, settings,
) -> None:
    settings.REDIS_URL = redis_server.url
    settings.CONSOLE_SIP_SECRET = AGENT_SECRET  # the test topology derives webagent1's password from it
    settings.CONSOLE_SIP_WS_URL = f"ws://127.0.0.1:{asterisk_server.settings.http_port}/ws"
    world = make_world("agent7", "care")
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE)
    make_pause_reasons("Lunch", "Coaching")
    make_supervisor("sam", phone=WEB_AGENT)
    Agent.objects.filter(name=WEB_AGENT).update(sip_password_salt=WEB_AGENT_SALT)
    commands = Stream(redis_server.url)
    events = redis.Redis.from_url(redis_server.url)
    try:
        _supervise(asterisk_server, asgi_server, floor, page, world, commands, events)
    finally:
        commands.close()
        events.close()


def _supervise(asterisk, site, floor, page, world, commands: Stream, events) -> None:
    page.goto(f"{site}/supervisor/")
    assert "/login/" in page.url
    page.fill("input[name=username]", "sam")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_function("window.ccSupervisor && window.ccSupervisor.ready", timeout=15_000)
    page.wait_for_function("document.getElementById('phone-status').textContent === 'registered'",
                           timeout=15_000)  # fmt: skip
    assert f"{WEB_AGENT}/sip:" in asterisk.cli(f"pjsip show contacts {WEB_AGENT}")

    # The agent, from the wallboard's board (the supervisor's own phone is not offered): pause it.
    row = "#agents-body tr[data-agent=agent7]"
    page.wait_for_selector(row, timeout=10_000)
    assert page.query_selector(f"#agents-body tr[data-agent={WEB_AGENT}]") is None
    page.select_option(f"{row} select", "Coaching")
    page.click(f"{row} button[data-action=pause]")
    page.wait_for_function(f"document.querySelector('{row} td:nth-child(2)').textContent === 'paused'",
                           timeout=5_000)  # fmt: skip
    world.agent.refresh_from_db()
    assert (world.agent.state, world.agent.pause_reason) == ("paused", "forced by sam: Coaching")
    [pause] = commands.new()
    assert (pause.type, pause.agent, pause.action, pause.reason, pause.supervisor) == (
        "agent_state", "agent7", "pause_agent", "Coaching", "sam")  # fmt: skip

    # An AI call appears on the floor as pbx reports it; Listen asks pbx for the supervisor's leg.
    call_id = str(uuid.uuid4())
    for event in (CallStarted(call_id=call_id, direction="outbound"), CallAnswered(call_id=call_id),
                  DecisionMade(call_id=call_id, turn=1, score=0.62, escalate=False)):  # fmt: skip
        events.xadd(floor, to_fields(event))
    call_row = f"#ai-body tr[data-call='{call_id}']"
    page.wait_for_selector(call_row, timeout=10_000)
    assert page.query_selector(f"{call_row} button[data-action=whisper]") is None  # whisper: human calls only
    page.click(f"{call_row} button[data-action=listen]")
    page.wait_for_selector("#supervising:not([hidden])", timeout=5_000)
    [listen] = commands.new()
    assert (listen.type, listen.call_id, listen.mode, listen.supervisor_phone, listen.supervisor) == (
        "supervise", call_id, "listen", WEB_AGENT, "sam")  # fmt: skip

    # pbx's leg rings the phone with X-CC-Supervise: the page answers it by itself and plays it.
    asterisk.ari_request("POST", "channels", {
        "endpoint": f"PJSIP/{WEB_AGENT}", "context": "cc-test", "extension": "echo", "priority": 1,
        "variables": {"PJSIP_HEADER(add,X-CC-Supervise)": f"listen {call_id}"},
    })  # fmt: skip
    page.wait_for_function("window.ccSupervisor.talking && window.ccSupervisor.talking.supervise "
                           "&& window.ccSupervisor.talking.answered", timeout=10_000)  # fmt: skip
    talking = page.evaluate("window.ccSupervisor.talking.supervise")
    assert talking == {"mode": "listen", "call_id": call_id}
    page.wait_for_function("""async () => {
        const audio = document.getElementById('remote-audio');
        const pc = window.ccSupervisor.talking && window.ccSupervisor.talking.session.connection;
        if (!pc || audio.paused || !audio.srcObject) return false;
        let n = 0; (await pc.getStats()).forEach(r => {
            if (r.type === 'inbound-rtp' && r.kind === 'audio') n += r.packetsReceived; });
        return n > 25; }""", timeout=15_000)  # fmt: skip

    # Stop: pbx is told, and the phone's leg ends.
    page.click("#stop")
    page.wait_for_selector("#talking", state="hidden", timeout=10_000)
    [stop] = commands.new()
    assert (stop.type, stop.call_id, stop.supervisor) == ("stop_supervising", call_id, "sam")
    deadline = time.monotonic() + 10
    while any(c["name"].startswith(f"PJSIP/{WEB_AGENT}-") for c in asterisk.ari_request("GET", "channels")):
        assert time.monotonic() < deadline, "the supervisor's leg is still up"
        time.sleep(0.2)
    assert json.loads(page.evaluate("JSON.stringify(window.ccSupervisor.current)")) is None
