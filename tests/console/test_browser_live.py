"""What reaches a console or the wallboard by push, in a real browser: the site's ASGI application
served as under ``manage.py stack`` (HTTP and websockets), pushes through a real Redis channel
layer, chromium driven by Playwright. No Asterisk: neither needs one (the console's phone just
stays unregistered). pbx's side is played by feeding its events to the event consumer's function.

- The pre-alert banner in the screen-pop: reason, lead, each utterance as it is heard with the
  customer's sentiment drawn (one point per customer utterance), VoiceWatch's score as it
  changes; frozen once the agent answers; the layout at 1366x768.
- An agent pauses with a reason; the wallboard (a supervisor's page) shows it within 1 s.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn
from channels.layers import get_channel_layer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

from contactcenter.campaigns.pbx_events import apply_event
from contactcenter.people.models import Agent, AgentState
from contactcenter.people.roles import Role, set_role
from contactcenter.wallboard import host
from contactcenter.wallboard.config import FeederConfig
from contactcenter.wallboard.feeder import Feeder
from ops.stack.processes import free_port
from pbx.api import CallAtRisk, DecisionMade, ReservationEnded, UtteranceHeard
from tests.campaigns.conftest import FakePbx
from tests.console.browser import assert_on_screen, new_page
from tests.console.factories import PASSWORD, make_world

pytestmark = pytest.mark.realstack


@pytest.fixture
def asgi_server(settings, redis_server, transactional_db) -> Iterator[str]:
    """The site's ASGI application on a free port, in a thread of this process (so it shares the
    test database); static files from the finders, as ``runserver`` serves them. The wallboard's
    feeder runs inside it (started by the first wallboard page), on keys of this test's own."""
    prefix = f"test-console-{uuid.uuid4().hex[:8]}"
    settings.REDIS_URL = redis_server.url
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": [redis_server.url]}}}  # fmt: skip
    settings.WALLBOARD_KEY_PREFIX = prefix
    settings.WALLBOARD_EVENTS_STREAM = f"{prefix}:events"
    settings.WALLBOARD_LIVE_COUNTS_KEY = f"{prefix}:live"
    settings.WALLBOARD_GROUP = prefix
    settings.WALLBOARD_NUDGE = True
    from contactcenter.routing import websocket_urlpatterns

    application = ProtocolTypeRouter({"http": ASGIStaticFilesHandler(get_asgi_application()),
                                      "websocket": URLRouter(websocket_urlpatterns)})  # fmt: skip
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off",
                                           log_level="warning", ws="websockets-sansio"))  # fmt: skip
    thread = threading.Thread(target=server.run, name="asgi-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the ASGI server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    task = host.embedded._task
    if task is not None and not task.done():  # the feeder the wallboard started, in the server's loop
        asyncio.run_coroutine_threadsafe(host.embedded.stop(), task.get_loop()).result(10)
    server.should_exit = True
    thread.join(10)


def apply(event, link=None) -> str:
    """pbx's event applied as the event consumer would: in a thread of its own (this one runs
    Playwright's event loop, where the console's pushes could not be made)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(apply_event, event, link).result()


def log_in(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login")


CURVE_POINTS = "document.getElementById('pop-curve-line').points.numberOfItems"
CUSTOMER_LINES = "document.querySelectorAll('#pop-transcript li.customer').length"


def test_the_screen_pop_follows_a_call_at_risk_live_and_freezes_when_answered(asgi_server: str, chromium,
                                                                              tmp_path) -> None:  # fmt: skip
    world = make_world()
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE)
    call_id = world.attempt.call_id
    page = new_page(chromium)
    log_in(page, f"{asgi_server}/console/", "priya", PASSWORD)
    page.wait_for_function("window.ccConsole && window.ccConsole.ready", timeout=15_000)
    assert page.get_attribute("#pop", "data-mode") == "idle" and page.is_hidden("#prealert")
    # Its websocket is open (the server joined it to the agent's group before accepting it).
    page.wait_for_function("window.ccConsole.listening === true", timeout=10_000)

    pbx = FakePbx()
    risk = CallAtRisk(call_id=call_id, queue=world.queue.name, score=0.42, reason="anger",
                      explanation="raised voice twice", lead_id=world.lead.pk)  # fmt: skip
    assert apply(risk, pbx) == "reserved"
    assert [c.agent for c in pbx.commands] == [world.agent.name]

    page.wait_for_selector("#prealert:not([hidden])", timeout=10_000)
    assert page.inner_text("#pop-title") == "Likely escalation"
    assert page.inner_text("#pop-reason-label") == "Customer is angry"
    assert page.inner_text("#pop-score") == "risk 0.42"
    assert page.inner_text("#pop-explanation") == "raised voice twice"
    assert "Asha" in page.inner_text("#pop-lead") and "A1001" in page.inner_text("#pop-lead")
    page.wait_for_function("document.querySelector('#agent-state').textContent === 'reserved'", timeout=5_000)

    # Each line as it is heard; the customer's with their sentiment, one point each on the curve.
    heard = [UtteranceHeard(call_id=call_id, utterance_id="b1", speaker="bot", text="How can I help with order A1001?"),
             UtteranceHeard(call_id=call_id, utterance_id="u1", speaker="customer", text="It came broken.", sentiment=-0.2),
             UtteranceHeard(call_id=call_id, utterance_id="u2", speaker="customer", text="I want a refund now",
                            sentiment=-0.71),
             UtteranceHeard(call_id=call_id, utterance_id="u3", speaker="customer", text="hmm")]  # no score  # fmt: skip
    for utterance in heard:
        assert apply(utterance) == "banner_updated"
    page.wait_for_function(f"{CUSTOMER_LINES} === 3", timeout=5_000)
    apply(heard[2])  # the same line again (a redelivered event): shown once
    time.sleep(0.5)
    assert page.inner_text("#pop-transcript").count("I want a refund now") == 1
    assert page.evaluate(CURVE_POINTS) == 3
    points = page.evaluate("[...document.getElementById('pop-curve-line').points].map(p => [p.x, p.y])")
    assert points[0][0] < points[1][0] < points[2][0]  # in the order said
    assert points[1][1] > points[0][1] > points[2][1] - 1e-9 and points[2][1] == 45.0  # lower is worse; unscored: 0
    assert page.evaluate("document.querySelectorAll('#pop-curve-dots circle').length") == 3
    assert page.evaluate("document.querySelectorAll('#pop-curve-dots circle.unscored').length") == 1
    assert "-0.71" in page.inner_text("#pop-transcript")

    # VoiceWatch's score as it changes.
    assert apply(DecisionMade(call_id=call_id, turn=3, escalate=False, reason="anger", score=0.71,
                              explanation="anger 0.71: 'refund now'")) == "banner_scored"  # fmt: skip
    page.wait_for_function("document.getElementById('pop-score').textContent === 'risk 0.71'", timeout=5_000)
    assert page.inner_text("#pop-explanation") == "anger 0.71: 'refund now'"
    # A turn that keeps the bot names no reason: the score moves, the reason stays.
    assert apply(DecisionMade(call_id=call_id, turn=4, escalate=False, score=0.64,
                              explanation="keep bot: strongest was anger 0.64 < 0.75")) == "banner_scored"  # fmt: skip
    page.wait_for_function("document.getElementById('pop-score').textContent === 'risk 0.64'", timeout=5_000)
    assert page.inner_text("#pop-reason-label") == "Customer is angry"

    # The whole console on a laptop's screen at once.
    assert_on_screen(page, ["#topbar", "#states", "#phone-status", "#call", "#answer", "#hangup", "#mute", "#hold",
                            "#pop", "#pop-curve", "#pop-transcript", "#history", "#ringer"])  # fmt: skip
    page.screenshot(path=str(tmp_path / "console-prealert.png"))

    # The escalated call rings and is answered (the phone's part, played here): the screen-pop
    # keeps what it followed and is frozen from then on.
    page.evaluate(f"CC.screenpop.ringing({{call_id: '{call_id}', queue: 'web', reason: 'anger'}})")
    assert page.evaluate(CURVE_POINTS) == 3 and page.inner_text("#pop-title") == "Incoming call"
    page.evaluate("CC.screenpop.answered()")
    pushed = "window.ccConsole.log.filter(l => l === 'push prealert.score').length"
    scores = page.evaluate(pushed)
    assert apply(UtteranceHeard(call_id=call_id, utterance_id="u4", speaker="customer", text="Hello?",
                                sentiment=0.1)) == "banner_updated"  # fmt: skip
    assert apply(DecisionMade(call_id=call_id, turn=5, escalate=True, reason="anger", score=0.9)) == "banner_scored"
    page.wait_for_function(f"{pushed} === {scores + 1}", timeout=5_000)  # both arrived, in order, and changed nothing
    assert page.evaluate(CURVE_POINTS) == 3 and "Hello?" not in page.inner_text("#pop-transcript")
    assert page.inner_text("#pop-score") == "score 0.64" and page.inner_text("#pop-title") == "On call"

    ended = ReservationEnded(call_id=call_id, agent=world.agent.name, why="risk_fell")
    assert apply(ended) == "reservation_ended"
    page.wait_for_function("document.querySelector('#agent-state').textContent === 'available'", timeout=5_000)
    assert page.inner_text("#pop-title") == "On call"  # the call in hand stays on screen
    errors = [m for m in page.console_messages if m.startswith("PAGEERROR")]
    assert not errors, errors
    page.context.close()


def test_a_pause_with_a_reason_reaches_the_wallboard_within_a_second(asgi_server: str, chromium, monkeypatch) -> None:
    # The feeder reads the database every minute here: what shows within a second came by the nudge.
    monkeypatch.setattr(host.embedded, "_make_feeder", lambda: Feeder(
        dataclasses.replace(FeederConfig.from_settings(), db_refresh_s=60.0), get_channel_layer()))
    world = make_world()
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE)
    manager = get_user_model().objects.create_user("manager", password="manager-password-1")
    set_role(manager, Role.SUPERVISOR)
    board = new_page(chromium)
    console = new_page(chromium)
    try:
        log_in(board, f"{asgi_server}/wallboard/", "manager", "manager-password-1")
        row = "[...document.querySelectorAll('#agents-body tr')].find(r => r.textContent.includes('Priya (web)'))"
        board.wait_for_function(f"document.getElementById('feeder').textContent === 'live' && {row} && "
                                f"{row}.textContent.includes('available')", timeout=20_000)  # fmt: skip

        log_in(console, f"{asgi_server}/console/", "priya", PASSWORD)
        console.wait_for_function("window.ccConsole && window.ccConsole.ready", timeout=15_000)
        console.select_option("#pause-reason", "Lunch")
        console.click("#state-paused")
        clicked = time.monotonic()
        cells = f"[...{row}.cells].map(c => c.textContent)"
        board.wait_for_function(f"{cells}.includes('paused') && {cells}.includes('Lunch')", timeout=1_000)
        took = time.monotonic() - clicked
        console.wait_for_function("document.getElementById('agent-reason').textContent === 'Lunch'", timeout=5_000)
        world.agent.refresh_from_db()
        assert (world.agent.state, world.agent.pause_reason) == (AgentState.PAUSED, "Lunch")
        print(f"pause to wallboard: {took:.3f} s")
    finally:
        board.context.close()
        console.context.close()
