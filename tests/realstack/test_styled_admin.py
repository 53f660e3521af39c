"""The admin and the API's Swagger UI in a real browser, served as ``make demo`` serves them.

The set-up's steps in a fresh var/ (migrate, collectstatic, the demo's admin account), then the
web process exactly as ``stack up`` builds it (uvicorn on the ASGI app, no static server
beside it): the admin's stylesheet and Swagger UI's script load with 200 and take effect.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from contactcenter.site.config import REPO_DIR, StackConfig
from contactcenter.site.secrets import ensure_secrets
from ops.stack.checks import check_web
from ops.stack.components import build_processes
from ops.stack.processes import free_port, wait_for
from pbx.api import QueueSpec, Telephony
from tests.console.browser import browser_page, chromium, chromium_path  # noqa: F401 (fixtures)

pytestmark = pytest.mark.realstack

BASE_CSS = "/static/admin/css/base.css"
SWAGGER_BUNDLE = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"


@dataclass(frozen=True)
class WebApp:
    url: str
    admin_password: str


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_DIR, env=env, capture_output=True,
                            text=True, timeout=180)  # fmt: skip
    assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stderr[-2000:]}"


@pytest.fixture
def web_app(tmp_path: Path) -> Iterator[WebApp]:
    env = {**os.environ, "CC_VAR_DIR": str(tmp_path / "var"), "CC_WEB_PORT": str(free_port()),
           "CC_REDIS_PORT": str(free_port())}  # fmt: skip
    # `make setup`'s Django steps, then `make demo`'s admin account.
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "demo_admin")
    config = StackConfig.from_env(env)
    # Only the web process: no Asterisk is started, so any PBX will do.
    web = build_processes(config, ensure_secrets(config.secrets_file), Telephony(queues=(QueueSpec(name="support"),))).web
    web.start()
    try:
        wait_for(lambda: _healthy(config), 30, "the web process", alive=web.running)
        yield WebApp(config.web_url, (config.var_dir / "admin-password.txt").read_text().strip())
    finally:
        web.stop()


def _healthy(config: StackConfig) -> bool:
    try:
        return bool(check_web(config)["ok"])
    except OSError:
        return False


def test_admin_and_swagger_ui_are_styled(web_app: WebApp, browser_page) -> None:
    page = browser_page
    statuses: dict[str, list[int]] = {}
    page.on("response", lambda r: statuses.setdefault(urlparse(r.url).path, []).append(r.status))

    page.goto(f"{web_app.url}/admin/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", "admin")
    page.fill("#id_password", web_app.admin_password)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools", timeout=10_000)  # logged in: the admin's index
    assert set(statuses.get(BASE_CSS, [])) == {200}, statuses
    # base.css lays the header out as a coloured flex row; unstyled it is a transparent block.
    header = page.evaluate("""() => { const s = getComputedStyle(document.getElementById('header'));
                                      return {display: s.display, background: s.backgroundColor}; }""")
    assert header["display"] == "flex" and header["background"] != "rgba(0, 0, 0, 0)", header

    page.goto(f"{web_app.url}/api/docs/")
    # Swagger UI's script builds the page from the schema: the API's title appears in its container.
    title = page.wait_for_selector("#swagger-ui .swagger-ui .info .title", timeout=15_000)
    assert "contactcenter API" in title.inner_text()
    assert statuses[SWAGGER_BUNDLE] == [200], statuses
    assert page.locator("#swagger-ui .opblock").count() > 0  # the endpoints are listed

    # The console's files and the JsSIP bundle from the cache, at the URLs its templates use.
    for path in ("/static/console/console.js", "/static/console/console.css", "/static/jssip/jssip.min.js"):
        with urllib.request.urlopen(f"{web_app.url}{path}", timeout=5) as response:
            assert response.status == 200 and response.read(), path
