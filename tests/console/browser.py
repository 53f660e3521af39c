"""Debian's chromium driven by Playwright (through ``executable_path``: no browser download).

Fixtures shared by the browser tests; a test module imports the ones it uses.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--no-sandbox",
                 "--autoplay-policy=no-user-gesture-required"]  # fmt: skip


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's chromium is not installed; run `make setup` (or `bash deploy/local/setup.sh`)")
    return path


@pytest.fixture
def browser_page(chromium_path: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    # Playwright's sync API keeps an event loop in this thread; the ORM calls between its calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.console_messages = []  # type: ignore[attr-defined]
        page.on("console", lambda m: page.console_messages.append(m.text))  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            browser.close()
