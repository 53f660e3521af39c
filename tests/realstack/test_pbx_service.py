"""``python -m pbx`` against a real Asterisk: it registers the Stasis app, reports healthy, and
writes its gauges (calls by direction and state, Asterisk's callers per queue) to Redis."""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from contactcenter.site.config import REPO_DIR
from ops.stack.asterisk import AsteriskInstance
from ops.stack.processes import ManagedProcess, ProcessSpec, free_port, wait_for
from ops.stack.redis_server import RedisServer
from pbx.api import PBX_GAUGES_KEY, PbxGauges

pytestmark = pytest.mark.realstack


def _health(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        return json.load(exc)


def test_pbx_connects_to_ari_and_ami(asterisk_server: AsteriskInstance, redis_server: RedisServer,
                                     tmp_path: Path) -> None:  # fmt: skip
    s = asterisk_server.settings
    port = free_port()
    env = {
        "PBX_ARI_URL": asterisk_server.ari_url, "PBX_ARI_USER": s.ari_user, "PBX_ARI_PASSWORD": s.ari_password,
        "PBX_ARI_APP": s.ari_app, "PBX_AMI_PORT": str(s.ami_port), "PBX_AMI_USER": s.ami_user,
        "PBX_AMI_SECRET": s.ami_secret, "PBX_HEALTH_PORT": str(port), "PBX_REDIS_URL": redis_server.url,
    }  # fmt: skip
    client = redis.Redis.from_url(redis_server.url)
    client.delete(PBX_GAUGES_KEY)
    proc = ManagedProcess(
        ProcessSpec("pbx", (sys.executable, "-m", "pbx"), tmp_path / "pbx.log", tmp_path / "pbx.pid", REPO_DIR, env)
    )
    proc.start()
    try:
        # "ok" comes with the websocket; the version with pbx's connect handling just after it.
        wait_for(lambda: _ok(port) and _health(port)["ari"]["asterisk_version"] is not None, 20, "pbx health",
                 alive=proc.running)  # fmt: skip
        report = _health(port)
        assert report["ari"]["asterisk_version"].startswith("22.")
        # Asterisk now knows our app: the websocket registration is real.
        apps = asterisk_server.cli("ari show apps")
        assert s.ari_app in apps
        # GET /metrics's state: no call yet, and each queue's callers as Asterisk's QueueSummary says.
        wait_for(lambda: _gauges(client) is not None and _gauges(client).queue_callers, 10, "pbx's gauges",
                 alive=proc.running)  # fmt: skip
        gauges = _gauges(client)
        assert gauges is not None and gauges.queue_callers == _callers_per_queue(asterisk_server)
        assert set(gauges.queue_callers) == {"support", "sales", "web"}
        assert set(gauges.calls) == {"inbound", "outbound"}
        assert gauges.calls["outbound"]["with_bot"] == 0 and sum(gauges.calls["inbound"].values()) == 0
    finally:
        proc.stop()
        client.close()
    assert s.ari_app not in asterisk_server.cli("ari show apps")


def _callers_per_queue(asterisk: AsteriskInstance) -> dict[str, int]:
    """From ``queue show``: "support has 0 calls (max unlimited) in 'linear' strategy ..."."""
    found = re.findall(r"^(\S+) has (\d+) calls", asterisk.cli("queue show"), re.M)
    return {queue: int(n) for queue, n in found}


def _gauges(client: redis.Redis) -> PbxGauges | None:
    data = client.hgetall(PBX_GAUGES_KEY)
    return PbxGauges.from_hash(data) if data else None


def _ok(port: int) -> bool:
    try:
        return bool(_health(port).get("ok"))
    except OSError:
        return False


def test_pbx_refuses_bad_settings_with_one_line(tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "pbx"], cwd=REPO_DIR, capture_output=True, text=True, timeout=30,
        env={"PATH": "/usr/bin:/bin", "PBX_AMI_PORT": "notaport"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "PBX_AMI_PORT" in result.stderr and "PBX_ARI_URL" in result.stderr
    assert "Traceback" not in result.stderr
