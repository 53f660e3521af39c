"""Debian's chromium driven by Playwright (through ``executable_path``: no browser download).

Fixtures shared by the browser tests; a test module imports the ones it uses. The browser is
launched without ``--autoplay-policy``: the console must earn its sound the way it does in an
agent's browser, from the log-in click.

Playwright's own ``evaluate`` (and every ``wait_for_function``, ``inner_text``, ...) runs with a
user gesture, which would unlock audio by itself; :func:`quiet_eval` reads the page through the
DevTools protocol without one, for the moments a test must not touch what it checks.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--no-sandbox"]

# The laptop the console is designed for: everything an agent needs is on this screen at once.
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's chromium is not installed; run `make setup` (or `bash deploy/local/setup.sh`)")
    return path


@pytest.fixture(scope="module")
def chromium(chromium_path: str) -> Iterator[Any]:
    """One browser for a module's tests (each test opens its own contexts: separate cookies)."""
    # Playwright's sync API keeps an event loop in this thread; the ORM calls between its calls are safe.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                                 args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()


def new_page(browser: Any, **context_options: Any) -> Any:
    """A page in a context of its own, collecting its console lines and page errors."""
    page = browser.new_context(viewport=LAPTOP, **context_options).new_page()
    lines: list[str] = []
    page.console_messages = lines  # type: ignore[attr-defined]
    page.on("console", lambda m: lines.append(m.text))
    page.on("pageerror", lambda e: lines.append("PAGEERROR " + str(e)))
    return page


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    page = new_page(chromium)
    try:
        yield page
    finally:
        page.context.close()


def quiet_eval(page: Any, expression: str) -> Any:
    """``expression``'s value, read without a user gesture (Runtime.evaluate's default)."""
    session = getattr(page, "_quiet_cdp", None)
    if session is None:
        session = page.context.new_cdp_session(page)
        page._quiet_cdp = session
    reply = session.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                              "awaitPromise": True, "userGesture": False})  # fmt: skip
    if "exceptionDetails" in reply:
        raise AssertionError(f"{expression}: {json.dumps(reply['exceptionDetails'])[:500]}")
    return reply["result"].get("value")


def quiet_wait(page: Any, expression: str, timeout_s: float, what: str) -> Any:
    """Poll ``expression`` (without a gesture) until it is truthy."""
    deadline = time.monotonic() + timeout_s
    value = None
    while time.monotonic() < deadline:
        try:
            value = quiet_eval(page, expression)
        except AssertionError:
            value = None  # the page is still loading
        if value:
            return value
        time.sleep(0.1)
    recent = page.console_messages[-15:]
    raise AssertionError(f"timed out waiting for {what} (last: {value!r}); console: {recent}")


def assert_on_screen(page: Any, selectors: list[str]) -> dict[str, dict[str, float]]:
    """Each selector's box lies inside the viewport (nothing an agent needs is scrolled away)."""
    size = page.viewport_size
    boxes = {}
    for selector in selectors:
        box = page.locator(selector).bounding_box()
        assert box is not None, f"{selector} is not displayed"
        inside = (box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5
                  and box["y"] + box["height"] <= size["height"] + 0.5)  # fmt: skip
        assert inside, f"{selector} at {box} is not inside the {size} viewport"
        boxes[selector] = box
    return boxes
