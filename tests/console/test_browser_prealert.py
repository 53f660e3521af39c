"""The pre-alert banner in a real browser: the console page served over ASGI (HTTP and its
websocket, as under ``manage.py stack``), pushes through a real Redis channel layer, chromium
driven by Playwright. No Asterisk: the banner needs none (the page's phone just stays
unregistered). pbx's side is played by feeding its events to the event consumer's function.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator

import pytest
import uvicorn
from channels.routing import ProtocolTypeRouter, URLRouter
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

from contactcenter.campaigns.pbx_events import apply_event
from contactcenter.people.models import Agent, AgentState
from ops.stack.processes import free_port
from pbx.api import CallAtRisk, ReservationEnded, UtteranceHeard
from tests.campaigns.conftest import FakePbx
from tests.console.browser import browser_page, chromium_path  # noqa: F401 (fixtures)
from tests.console.factories import PASSWORD, make_world

pytestmark = pytest.mark.realstack


@pytest.fixture
def asgi_server(settings, redis_server, transactional_db) -> Iterator[str]:
    """The site's ASGI application on a free port, in a thread of this process (so it shares the
    test database); static files from the finders, as ``runserver`` serves them."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": [redis_server.url]}}}  # fmt: skip
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
    server.should_exit = True
    thread.join(10)


def apply(event, link=None) -> str:
    """pbx's event applied as the event consumer would: in a thread of its own (this one runs
    Playwright's event loop, where the console's pushes could not be made)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(apply_event, event, link).result()


def test_the_reserved_agent_sees_the_likely_escalation_banner(asgi_server: str, browser_page) -> None:
    world = make_world()
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE)
    call_id = world.attempt.call_id
    page = browser_page
    page.on("pageerror", lambda e: page.console_messages.append("PAGEERROR " + str(e)))
    page.goto(f"{asgi_server}/console/")
    page.fill("input[name=username]", "priya")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_function("window.ccConsole && window.ccConsole.ready", timeout=15_000)
    assert page.is_hidden("#prealert")
    # Its websocket is open (the server joined it to the agent's group before accepting it).
    page.wait_for_function("window.ccConsole.listening === true", timeout=10_000)

    pbx = FakePbx()
    risk = CallAtRisk(call_id=call_id, queue=world.queue.name, score=0.42, reason="anger",
                      explanation="raised voice twice", lead_id=world.lead.pk)  # fmt: skip
    assert apply(risk, pbx) == "reserved"
    assert [c.agent for c in pbx.commands] == [world.agent.name]

    page.wait_for_selector("#prealert:not([hidden])", timeout=10_000)
    assert page.inner_text("#pre-reason-label") == "Customer is angry"
    assert page.inner_text("#pre-explanation") == "raised voice twice"
    assert "Asha" in page.inner_text("#pre-lead") and "A1001" in page.inner_text("#pre-lead")
    page.wait_for_function("document.querySelector('#agent-state').textContent === 'reserved'", timeout=5_000)

    heard = UtteranceHeard(call_id=call_id, utterance_id="u9", speaker="customer", text="I want a refund now")
    assert apply(heard) == "banner_updated"
    page.wait_for_function("document.querySelector('#pre-transcript').textContent.includes('I want a refund now')",
                           timeout=5_000)  # fmt: skip
    apply(heard)  # the same line again (a redelivered event): shown once
    time.sleep(0.5)
    assert page.inner_text("#pre-transcript").count("I want a refund now") == 1

    ended = ReservationEnded(call_id=call_id, agent=world.agent.name, why="risk_fell")
    assert apply(ended) == "reservation_ended"
    page.wait_for_selector("#prealert", state="hidden", timeout=10_000)
    page.wait_for_function("document.querySelector('#agent-state').textContent === 'available'", timeout=5_000)
