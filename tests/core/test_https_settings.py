"""Served over https (CC_HTTPS=1): secure cookies, HSTS, http sent to https, and
``manage.py check --deploy`` quiet about all four; off, Django's deploy check names them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from contactcenter.site.config import REPO_DIR

HTTPS_WARNINGS = ("security.W004", "security.W008", "security.W012", "security.W016")


def _run(args: list[str], tmp_path: Path, https: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "CC_VAR_DIR": str(tmp_path), "CC_HTTPS": "1" if https else "0",
           "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-random-looking-deploy-key-" + "z" * 20}  # fmt: skip
    return subprocess.run([sys.executable, *args], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_quiet_about_https_with_it_on(tmp_path: Path) -> None:
    on = _run(["manage.py", "check", "--deploy"], tmp_path, https=True)
    off = _run(["manage.py", "check", "--deploy"], tmp_path, https=False)
    for code in HTTPS_WARNINGS:
        assert code in off.stderr + off.stdout  # the check can tell
        assert code not in on.stderr + on.stdout, on.stderr


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()  # lets the test client's host in
c = Client()
login, health = c.get("/login/"), c.get("/healthz")
print(json.dumps({"login": [login.status_code, login.get("Location", "")], "health": health.status_code,
                  "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
                  "hsts": settings.SECURE_HSTS_SECONDS,
                  "hsts_header": c.get("/login/", secure=True).get("Strict-Transport-Security", "")}))
"""


def test_http_goes_to_https_but_the_stacks_health_check(tmp_path: Path) -> None:
    probe = ["-c", f"import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'contactcenter.settings'\n{PROBE}"]
    done = _run(probe, tmp_path, https=True)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["login"] == [301, "https://testserver/login/"]
    assert seen["health"] != 301  # `stack status` asks http://127.0.0.1/healthz
    assert seen["cookies"] == [True, True] and seen["hsts"] == 365 * 24 * 3600
    assert seen["hsts_header"] == "max-age=31536000"
