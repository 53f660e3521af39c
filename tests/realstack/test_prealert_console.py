"""Pre-alert on the whole stack, seen from the agent console in a real browser.

``manage.py stack up`` on its own var dir; an admin sets up, through the REST API, a queue with
two agents: ``web1`` at the browser console (chromium, Playwright; auto-answer on) and ``desk1``,
a sipp softphone with a LOWER penalty, so that the queue on its own would ring ``desk1``. A
campaign (its VoiceWatch policy with a pre-alert threshold) dials one lead, answered by a
simulated customer who speaks flite-synthesised lines into the call:

1. "I am not happy with this service." Through the live path (Moonshine, prosody, VoiceWatch)
   this scores anger 0.52: past the policy's pre-alert threshold (0.3), below every escalating
   reason's (0.6); the bot only asks again. pbx publishes ``call.at_risk``; Django reserves
   ``web1`` (the only free agent then: ``desk1``'s person has not said they are available),
   and the console shows the "likely escalation" banner with the reason and the transcript.
2. ``desk1`` becomes available, so both agents are free, then the customer asks "Can I please
   talk to a real person?" (human_request 0.95: escalates). The reserved agent's phone is rung
   first and answers by itself (``answer-after=0``); the caller is bridged to ``web1``; ``desk1``
   is never offered the call. After the call the reservation is over and ``web1`` is not
   ``reserved`` any more.

The lines were chosen by running them through the stack's own recogniser and VoiceWatch (see
``FIRST_LINE``), so the call goes the same way every time; the second line is said only once
the banner is on the screen, so "before the escalation" is not a matter of timing.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
import urllib.request
from base64 import b64encode
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from contactcenter.campaigns.models import AttemptStatus
from contactcenter.site.config import StackConfig
from contactcenter.site.secrets import load_secrets
from ops.simulator.customer import CustomerRun, CustomerScript, SimulatedCustomers, flite_voice
from ops.stack.components import instance_name
from pbx.api import AgentState, EscalationReason, ReservationEnd
from pbx.ari.client import HttpAriRest
from pbx.ari.connection import AriEventStream
from pbx.backoff import Backoff
from tests.console.browser import browser_page, chromium, chromium_path  # noqa: F401 (fixtures)
from tests.console.test_browser_softphone import eventually
from tests.realstack.stack_env import admin_api, console_user, run, running_stack
from tests.realstack.test_prealert import TracingAgent

pytestmark = pytest.mark.realstack

QUEUE = "care"
PHONE = "+919800000001"
# Moonshine hears "I am not happy with this service," (anger 0.517, ambiguity 0.25): at risk,
# no escalation, and not an answer the flow knows (it asks again).
FIRST_LINE = "I am not happy with this service."
# human_request 0.95 on the partial already: the escalation.
SECOND_LINE = "Can I please talk to a real person?"
# Pre-alert from 0.3; every reason this call can raise goes to the one queue both agents answer
# (a reserved agent is rung first only when the call escalates to the queue they were held for).
THRESHOLDS = {EscalationReason.ANGER: 0.6, EscalationReason.HUMAN_REQUEST: 0.6, EscalationReason.AMBIGUITY: 0.55}
POLICY = {"prealert_threshold": 0.3,
          "reasons": {str(reason): {"queue": QUEUE, "threshold": t} for reason, t in THRESHOLDS.items()}}  # fmt: skip


class Customers:
    """The simulated customers (ARI app ``ccsim``) on an event loop of their own, in a thread:
    the test's own thread runs Playwright's."""

    def __init__(self, config: StackConfig) -> None:
        name = instance_name(config)
        self._config = config
        self._password = load_secrets(config.secrets_file).ari_password
        self._sim_dir = config.asterisk_root / "srv" / "contactcenter" / name / "spool" / "sim"
        self._sim_dir_asterisk = f"/srv/contactcenter/{name}/spool/sim"
        self._loop = asyncio.new_event_loop()
        self._ready: Future[SimulatedCustomers] = Future()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._main(),), daemon=True)

    def __enter__(self) -> Customers:
        self._thread.start()
        self.sim = self._ready.result(timeout=30)
        return self

    def __exit__(self, *_: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        c = self._config
        try:
            async with aiohttp.ClientSession() as session:
                rest = HttpAriRest(session, c.ari_url, c.ari_user, self._password)
                sim = SimulatedCustomers(rest, "ccsim", flite_voice(), self._sim_dir, self._sim_dir_asterisk)
                stream = AriEventStream(session, c.ari_url, c.ari_user, self._password, sim.app, Backoff(0.2, 2))
                connected = asyncio.Event()

                async def on_connect() -> None:
                    connected.set()

                task = asyncio.create_task(stream.run(sim.on_event, on_connect))
                await asyncio.wait_for(connected.wait(), 10)
                self._ready.set_result(sim)
                await self._stop.wait()
                task.cancel()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
            raise

    def answer(self, number: str, script: CustomerScript) -> None:
        self.sim.answer_number(number, script)  # synthesises its lines now

    def the_call(self) -> CustomerRun | None:
        return next(iter(self.sim.runs.values()), None)

    def say(self, run: CustomerRun, text: str) -> None:
        asyncio.run_coroutine_threadsafe(self.sim.say(run, text), self._loop).result(timeout=15)


class Ari:
    """Plain reads of the stack's ARI (channels, bridges) from the test's thread."""

    def __init__(self, config: StackConfig) -> None:
        self._base = config.ari_url
        auth = f"{config.ari_user}:{load_secrets(config.secrets_file).ari_password}"
        self._auth = "Basic " + b64encode(auth.encode()).decode()

    def get(self, path: str) -> Any:
        request = urllib.request.Request(f"{self._base}/{path}", headers={"Authorization": self._auth})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def bridge_with(self, channel_prefix: str) -> tuple[dict, dict] | None:
        """(the bridge, the channel) of a channel whose name starts with ``channel_prefix`` that is
        bridged with another channel (the caller)."""
        channels = {c["id"]: c for c in self.get("channels")}
        for bridge in self.get("bridges"):
            for channel_id in bridge["channels"]:
                channel = channels.get(channel_id)
                if channel and channel["name"].startswith(channel_prefix) and len(bridge["channels"]) == 2:
                    return bridge, channel
        return None


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, str]]:
    with running_stack(tmp_path / "var", rtp_start=32800) as env:
        yield env


@pytest.fixture
def desk(stack: dict[str, str], tmp_path: Path) -> Iterator[TracingAgent]:
    """desk1's phone: sipp on the stack's simulated-agent port, keeping every INVITE it gets."""
    phone = TracingAgent("desk1", StackConfig.from_env(stack).ports.sim_agent, tmp_path / "desk1")
    phone.start()
    try:
        yield phone
    finally:
        phone.stop()


def test_a_prealerted_agent_sees_the_banner_and_takes_the_call_first(stack: dict[str, str], desk: TracingAgent,
                                                                      browser_page, tmp_path: Path) -> None:  # fmt: skip
    env, py = stack, sys.executable
    config = StackConfig.from_env(env)
    started = time.monotonic()

    def shell(code: str) -> str:
        result = run(env, py, "manage.py", "shell", "-c", code, timeout=60)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    # The site, as an admin sets it up: a queue, a desk phone that rings first, a console agent.
    api = admin_api(env)
    password = console_user(env, "webby", tmp_path / "console-password").read_text().strip()
    api.ok("POST", "queues/", {"name": QUEUE, "strategy": "ringall", "ring_timeout_s": 15, "max_wait_s": 60,
                               "wrap_up_s": 0, "service_level_s": 20})  # fmt: skip
    api.ok("POST", "agents/", {"name": "desk1", "queues": [QUEUE], "penalties": {QUEUE: 0},
                               "static_contact": desk.contact})  # fmt: skip
    web = api.ok("POST", "agents/", {"name": "web1", "queues": [QUEUE], "penalties": {QUEUE: 1}, "transport": "webrtc",
                                     "username": "webby", "auto_answer": True})  # fmt: skip
    assert web["auto_answer"] is True
    ari = Ari(config)

    # web1 at the console: logged in, phone registered, available (the queue member unpaused).
    page = browser_page
    page.goto(f"{config.web_url}/console/")
    page.fill("input[name=username]", "webby")
    page.fill("input[name=password]", password)
    page.click("#login")
    page.wait_for_function("window.ccConsole && window.ccConsole.ready", timeout=20_000)
    page.click("#state-available")
    page.wait_for_function("window.ccConsole.registered && window.ccConsole.log.includes('unpause -> 603')",
                           timeout=20_000)  # fmt: skip
    page.wait_for_function("window.ccConsole.listening === true", timeout=10_000)
    assert page.is_hidden("#prealert")
    console_log = lambda: page.evaluate("window.ccConsole.log")  # noqa: E731

    with Customers(config) as customers:
        customers.answer(PHONE, CustomerScript("unhappy", (FIRST_LINE,), interrupt_after_s=1.0, linger_s=60))
        campaign = api.ok("POST", "campaigns/", {
            "name": "Pre-alert at the console", "type": "order_confirmation", "escalation_queue": QUEUE,
            "dial_mode": "ai_first", "max_concurrent_calls": 1, "caller_id": "+911800100100",
            "calling_windows": [{"days": list(range(7)), "start": "00:00", "end": "23:59"}],
            "trunk": "local:cc-sim-reactive", "ring_timeout_s": 20, "policy": POLICY,
        })  # fmt: skip
        api.ok("POST", "leads/", {"campaign": campaign["id"], "phone": PHONE, "first_name": "Asha",
                                  "fields": {"order_id": "A1001", "item": "a tea kettle", "amount": "899",
                                             "currency": "rupees"}})  # fmt: skip
        api.ok("POST", f"campaigns/{campaign['id']}/start/")

        def attempt() -> dict | None:
            return next(iter(api.ok("GET", f"attempts/?campaign={campaign['id']}")["results"]), None)  # a page

        # The customer's complaint puts the call at risk: web1 is reserved and sees the banner.
        page.wait_for_selector("#prealert:not([hidden])", timeout=40_000)
        banner_at = time.monotonic()
        call_id = attempt()["call_id"]
        assert page.evaluate("window.ccConsole.prealert") == call_id
        assert page.inner_text("#pop-reason-label") == "Customer is angry"
        assert "A1001" in page.inner_text("#pop-lead") and "Asha" in page.inner_text("#pop-lead")
        page.wait_for_function("document.querySelector('#pop-transcript').textContent.toLowerCase()"
                               ".includes('not happy with this service')", timeout=10_000)  # fmt: skip
        assert "automated call about your order" in page.inner_text("#pop-transcript")  # the bot's side too
        page.wait_for_function(f"document.querySelector('#agent-state').textContent === '{AgentState.RESERVED}'",
                               timeout=5_000)  # fmt: skip
        assert api.ok("GET", "agents/web1/")["state"] == AgentState.RESERVED
        now = attempt()
        assert now["escalated_at"] is None and now["status"] == AttemptStatus.WITH_BOT, now  # not escalated yet
        assert page.get_attribute("#call", "data-phase") == "idle"
        assert not any(line.startswith("incoming") for line in console_log())

        # desk1's person is back: both agents free; Asterisk's queue alone would ring desk1 (penalty 0).
        shell("from django.utils import timezone; from contactcenter.people.models import Agent; "
              f"Agent.objects.filter(name='desk1').update(state='{AgentState.AVAILABLE}', "
              "state_changed_at=timezone.now())")  # fmt: skip
        run_ = customers.the_call()
        assert run_ is not None and run_.lines_said == 1
        customers.say(run_, SECOND_LINE)

        # Escalated: web1's phone rings first and answers by itself; the caller is bridged to web1.
        page.wait_for_function("window.ccConsole.log.some(l => l.startsWith('auto-answer after 0'))",
                               timeout=20_000)  # fmt: skip
        page.wait_for_function("window.ccConsole.log.includes('confirmed')", timeout=10_000)
        incoming = [json.loads(line.removeprefix("incoming ")) for line in console_log()
                    if line.startswith("incoming")]  # fmt: skip
        assert [i["call_id"] for i in incoming] == [call_id] and incoming[0]["queue"] == QUEUE
        bridge, channel = eventually(lambda: ari.bridge_with("PJSIP/web1-"), 15, "the caller bridged to web1")
        assert channel["state"] == "Up" and call_id in bridge["channels"]  # pbx names the caller's channel by the call
        answered = eventually(lambda: (a := attempt())["agent_connected_at"] and a, 15, "the attempt with an agent")
        assert answered["agent"] == "web1" and answered["escalation_reason"] == EscalationReason.HUMAN_REQUEST
        took_s = time.monotonic() - banner_at
        assert desk.invites() == [] and desk.answered() == []  # the other agent was never offered the call

        # The agent ends the call; the reservation is over and web1 is no longer reserved.
        page.click("#hangup")
        page.wait_for_selector("#wrapup:not([hidden])", timeout=15_000)
        eventually(lambda: attempt()["status"] == AttemptStatus.ENDED, 20, "the call ended")
        # Wrap-up (the console waits for a disposition), not reserved; the banner went with the hold.
        eventually(lambda: api.ok("GET", "agents/web1/")["state"] == AgentState.WRAP_UP, 10, "web1 in wrap-up")
        page.wait_for_selector("#prealert", state="hidden", timeout=5_000)
    reservations = shell("import json; from contactcenter.people.models import Reservation; print(json.dumps("
                         "[[r.agent.name, r.call_id, r.reason, r.end, r.ended_at is not None] "
                         "for r in Reservation.objects.all()]))")  # fmt: skip
    assert json.loads(reservations.strip().splitlines()[-1]) == [
        ["web1", call_id, EscalationReason.ANGER, ReservationEnd.ESCALATED, True]]
    assert desk.invites() == []
    print(f"banner -> agent bridged {took_s:.1f} s; whole test {time.monotonic() - started:.1f} s")
