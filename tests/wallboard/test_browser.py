"""The wallboard in a real browser: Debian's chromium (Playwright, launched without
``--autoplay-policy``), the site's ASGI application under uvicorn with its embedded feeder, the
session's real Redis as channel layer and events stream. pbx is played by XADDing its events.

The acceptance: a caller joining a queue (``call.queued`` on the stream) shows on the page
within 1 s, measured from the XADD to the DOM change; a screenshot is saved to the test's tmp
path and to ``var/test-artifacts/wallboard.png`` (TV mode: ``wallboard-tv.png``). Then a caller
hangs up waiting and the supervisor calls them back with the page's button (CSRF, the real endpoint), and TV mode shows
the same board with nothing to click.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from contactcenter.campaigns.models import Lead, LeadStatus
from contactcenter.people.roles import Role, set_role
from contactcenter.site.config import REPO_DIR
from pbx.api import CallEscalated, CallQueued, CallStarted, QueueAbandoned, to_fields
from tests.console.browser import chromium_path  # noqa: F401 (fixture)
from tests.console.factories import make_world
from tests.console.test_browser_live import asgi_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.realstack

PNG = b"\x89PNG\r\n\x1a\n"
ARTIFACT = REPO_DIR / "var" / "test-artifacts" / "wallboard.png"


@pytest.fixture
def page(chromium_path: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:  # noqa: F811
    """A chromium page without any autoplay or media flags: the wallboard needs none."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API keeps a loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            browser.close()


@pytest.fixture
def stream(settings, redis_server, wallboard_names) -> Iterator[redis.Redis]:
    """The feeder's keys, our own in the session's Redis; the test's client to XADD with."""
    settings.REDIS_URL = redis_server.url
    settings.WALLBOARD_EVENTS_STREAM = wallboard_names["stream"]
    settings.WALLBOARD_LIVE_COUNTS_KEY = wallboard_names["live"]
    settings.WALLBOARD_KEY_PREFIX = wallboard_names["prefix"]
    settings.WALLBOARD_GROUP = wallboard_names["group"]
    settings.WALLBOARD_EMBEDDED_FEEDER = True
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.delete(wallboard_names["stream"], f"{wallboard_names['prefix']}:snapshot")
    client.close()


def test_a_caller_joining_a_queue_shows_within_a_second(asgi_server: str, stream: redis.Redis, page, client,  # noqa: F811
                                                        django_user_model, settings, wallboard_names,
                                                        tmp_path: Path) -> None:  # fmt: skip
    world = make_world(queue_name="support")  # a campaign lead whose call the test abandons
    boss = django_user_model.objects.create_user("boss", password="x" * 12)
    set_role(boss, Role.SUPERVISOR)
    client.force_login(boss)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": asgi_server}])

    page.goto(f"{asgi_server}/wallboard/")
    # The feeder leads (its snapshot reached the page), and the charts are drawn with the vendored uPlot.
    page.wait_for_function("window.ccWallboard && window.ccWallboard.board.feeder === 'live'", timeout=15_000)
    page.wait_for_function("document.getElementById('charts').dataset.state === 'drawn'", timeout=5_000)
    assert page.inner_text("tr[data-queue='support'] td.waiting") == "0"

    joined = CallQueued(call_id="caller-1", queue="support", reason="anger", wait_s=1.2)
    started = time.monotonic()
    stream.xadd(wallboard_names["stream"], to_fields(joined))
    page.wait_for_function("document.querySelector(\"tr[data-queue='support'] td.waiting\").textContent === '1'",
                           timeout=1_000)  # fmt: skip
    shown_after_s = time.monotonic() - started
    print(f"wallboard: the caller showed {shown_after_s * 1000:.0f} ms after the XADD")
    assert shown_after_s < 1.0
    assert page.inner_text("#kpi-waiting .v") == "1"
    assert "anger" in page.inner_text("tr[data-queue='support'] td.oldest")  # the longest waiting caller's reason

    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    for path in (tmp_path / "wallboard.png", ARTIFACT):
        page.screenshot(path=str(path), full_page=True)
        data = path.read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, path

    # The lead's call escalated, waited and hung up: it is on the call-back list, and the button
    # schedules the lead again through the real endpoint.
    call_id, now, campaign_id = world.attempt.call_id, time.time(), world.lead.campaign_id
    for event in (CallStarted(call_id=call_id, at=now - 60, direction="outbound", campaign_id=campaign_id),
                  CallEscalated(call_id=call_id, at=now - 40, queue="support", reason="anger", decided_at=now - 42),
                  CallQueued(call_id=call_id, at=now - 39, queue="support", reason="anger"),
                  QueueAbandoned(call_id=call_id, at=now - 10, queue="support")):  # fmt: skip
        stream.xadd(wallboard_names["stream"], to_fields(event))
    row = f"#abandoned-body tr[data-key='{call_id}']"
    page.wait_for_selector(f"{row} button.callback", timeout=5_000)
    assert page.inner_text(f"{row} td:nth-child(4)") == "29.0 s"  # waited
    page.click(f"{row} button.callback")
    page.wait_for_selector(f"{row} .cb-ok", timeout=5_000)
    assert page.inner_text(f"{row} .cb-ok").startswith("scheduled: due now")
    world.lead.refresh_from_db()
    assert world.lead.status == LeadStatus.PENDING and world.lead.not_before_reason == "wallboard_callback"
    assert Lead.objects.get(pk=world.lead.pk).outcome_detail == "call back asked by boss on the wallboard"

    # TV mode: the same board in larger type, nothing to click.
    desk_type = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.goto(f"{asgi_server}/wallboard/?tv=1")
    page.wait_for_function("window.ccWallboard && window.ccWallboard.board.feeder === 'live'", timeout=15_000)
    page.wait_for_selector(f"#abandoned-body tr[data-key='{call_id}']", timeout=5_000)
    assert page.inner_text("tr[data-queue='support'] td.waiting") == "1"
    assert page.eval_on_selector_all("button, a, input, select, form", "nodes => nodes.length") == 0
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > desk_type
    page.screenshot(path=str(ARTIFACT.with_name("wallboard-tv.png")), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]
