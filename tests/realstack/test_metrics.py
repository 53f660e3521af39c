"""``curl /metrics`` on the web process as ``stack up`` starts it, and Asterisk's own ``/metrics``.

The web process is the stack's (uvicorn on the ASGI app, with the stack's multiprocess folder);
another process, as pbx or the dialer would, records values into the same folder and exits;
pbx's gauges hash is in a real Redis and an agent in the migrated database. curl with the
metrics token lists every name and the other process's values; without it, 401.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from contactcenter.site.config import REPO_DIR, StackConfig
from contactcenter.site.secrets import ensure_secrets
from ops.stack.asterisk import AsteriskInstance
from ops.stack.checks import check_web
from ops.stack.components import build_processes
from ops.stack.processes import free_port, wait_for
from ops.stack.redis_server import RedisServer
from pbx.api import PBX_GAUGES_KEY, PbxGauges, QueueSpec, Telephony
from tests.metrics.test_dashboard import DASHBOARD, metric_names
from workers.metric_specs import METRIC_NAMES

pytestmark = pytest.mark.realstack

# As pbx, the Celery worker and the dialer record them, in a process of its own.
OTHER_PROCESS = """
from contactcenter.metrics.instruments import dialer_metrics
from pbx.api import CallEnded, CallEscalated, CallQueued, OriginateCall
from pbx.metrics import pbx_metrics
from workers.metrics import asr_metrics

pbx = pbx_metrics()
for outcome in ("confirmed", "confirmed", "escalated"):
    pbx.observe(CallEnded(call_id="c", outcome=outcome))
pbx.observe(CallEscalated(call_id="c", queue="support", reason="anger"))
pbx.observe(CallQueued(call_id="c", queue="support", wait_s=1.2))
pbx.bot_turn(0.8)
asr_metrics().decoded("moonshine", 0.2)
command = OriginateCall(endpoint="PJSIP/+919800000001@trunk", flow="order_confirmation", campaign_id=7)
dialer_metrics().sent([command])
"""

SETUP = """
from django.core.management import call_command
call_command("migrate", "--noinput", verbosity=0)
from contactcenter.people.models import Agent
Agent.objects.create(name="deskphone9", state="available")
"""


def _python(env: dict[str, str], *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, *argv], cwd=REPO_DIR, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def _curl(url: str, *headers: str) -> tuple[int, str]:
    argv = ["curl", "--silent", "--max-time", "10", "--write-out", "\n%{http_code}", url]
    for header in headers:
        argv += ["--header", header]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


def _samples(text: str) -> dict[str, float]:
    """``name{labels}`` -> value, as exposed."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, _, number = line.rpartition(" ")
            found[series] = float(number)
    return found


def test_curl_metrics_lists_every_name_with_another_processs_values(
    tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "CC_VAR_DIR": str(tmp_path / "var"), "CC_WEB_PORT": str(free_port()),
           "CC_REDIS_PORT": str(free_port()), "REDIS_URL": redis_server.url}  # fmt: skip
    for name in ("CC_VAR_DIR", "CC_WEB_PORT", "CC_REDIS_PORT", "REDIS_URL"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.delenv("CC_METRICS_TOKEN", raising=False)
    config = StackConfig.from_env(env)
    secrets = ensure_secrets(config.secrets_file)
    web = build_processes(config, secrets, Telephony(queues=(QueueSpec(name="support"),))).web
    assert web.spec.env["PROMETHEUS_MULTIPROC_DIR"] == str(config.metrics_dir)
    config.metrics_dir.mkdir(parents=True)  # as `stack up` makes it
    # The database, and the other process's values, side by side.
    setup = _python(env, "manage.py", "shell", "-c", SETUP)
    writer = _python({**env, "PROMETHEUS_MULTIPROC_DIR": str(config.metrics_dir)}, "-c", OTHER_PROCESS)
    for done in (setup, writer):
        _, err = done.communicate(timeout=180)
        assert done.returncode == 0, err[-2000:]
    client = redis.Redis.from_url(redis_server.url)
    web.start()
    try:
        wait_for(lambda: _answers(config), 30, "the web process", alive=web.running)
        # pbx's state, as its live counts loop writes it (every second: fresh now).
        gauges = PbxGauges(calls={"outbound": {"with_bot": 2, "queued": 1}}, queue_callers={"support": 1},
                           updated_at=time.time())  # fmt: skip
        client.delete(PBX_GAUGES_KEY)
        client.hset(PBX_GAUGES_KEY, mapping=gauges.to_hash())
        url = f"{config.web_url}/metrics"
        status, text = _curl(url, f"Authorization: Bearer {secrets.metrics_token}")
        assert status == 200, text
        typed = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")]
        assert METRIC_NAMES <= set(typed), METRIC_NAMES - set(typed)
        assert len(typed) == len(set(typed))  # each family once: the folder's and the empty ones never both
        samples = _samples(text)
        # The other process's values, read from the multiprocess folder.
        assert samples['cc_calls_total{outcome="confirmed"}'] == 2
        assert samples['cc_calls_total{outcome="escalated"}'] == 1
        assert samples['cc_escalations_total{reason="anger"}'] == 1
        assert samples["cc_escalation_latency_seconds_count"] == 1
        assert samples["cc_escalation_latency_seconds_sum"] == pytest.approx(1.2)
        assert samples['cc_bot_turn_latency_seconds_bucket{le="1.0"}'] == 1
        assert samples['cc_asr_latency_seconds_count{engine="moonshine"}'] == 1
        assert samples['cc_dialer_originates_total{campaign="7"}'] == 1
        # The state: pbx's hash in Redis, the agents table.
        assert samples["cc_pbx_reporting"] == 1
        assert samples['cc_calls_active{direction="outbound",state="with_bot"}'] == 2
        assert samples['cc_queue_waiting_calls{queue="support"}'] == 1
        assert samples['cc_agents{state="available"}'] == 1 and samples['cc_agents{state="offline"}'] == 0
        for headers in ((), ("Authorization: Bearer not-the-token",)):
            status, text = _curl(url, *headers)
            assert status == 401 and "cc_" not in text
    finally:
        web.stop()
        client.delete(PBX_GAUGES_KEY)
        client.close()


def _answers(config: StackConfig) -> bool:
    try:
        return bool(check_web(config)["ok"])
    except OSError:
        return False


def _asterisk_metrics(asterisk: AsteriskInstance, password: str | None) -> tuple[int, str]:
    s = asterisk.settings
    request = urllib.request.Request(f"http://127.0.0.1:{s.http_port}/metrics")
    if password is not None:
        token = base64.b64encode(f"{s.metrics_user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_asterisks_own_metrics_answer_with_its_password_and_name_what_the_dashboard_shows(
    asterisk_server: AsteriskInstance,
) -> None:
    status, text = _asterisk_metrics(asterisk_server, asterisk_server.settings.metrics_password)
    assert status == 200
    exported = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE asterisk_")}
    assert "asterisk_core_uptime_seconds" in exported, exported
    shown = {name for name in metric_names(json.loads(DASHBOARD.read_text())) if name.startswith("asterisk_")}
    assert shown and shown <= exported, shown - exported
    assert _asterisk_metrics(asterisk_server, None)[0] == 401
    assert _asterisk_metrics(asterisk_server, "not-the-password")[0] == 401
