"""The browser fixtures for every console test module (``tests/console/browser.py``)."""

from tests.console.browser import browser_page, chromium, chromium_path  # noqa: F401 (fixtures)
