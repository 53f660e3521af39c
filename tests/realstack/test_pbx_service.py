"""``python -m pbx`` against a real Asterisk: it registers the Stasis app and reports healthy."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from contactcenter.site.config import REPO_DIR
from ops.stack.asterisk import AsteriskInstance
from ops.stack.processes import ManagedProcess, ProcessSpec, free_port, wait_for

pytestmark = pytest.mark.realstack


def _health(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        return json.load(exc)


def test_pbx_connects_to_ari_and_ami(asterisk_server: AsteriskInstance, tmp_path: Path) -> None:
    s = asterisk_server.settings
    port = free_port()
    env = {
        "PBX_ARI_URL": asterisk_server.ari_url, "PBX_ARI_USER": s.ari_user, "PBX_ARI_PASSWORD": s.ari_password,
        "PBX_ARI_APP": s.ari_app, "PBX_AMI_PORT": str(s.ami_port), "PBX_AMI_USER": s.ami_user,
        "PBX_AMI_SECRET": s.ami_secret, "PBX_HEALTH_PORT": str(port),
    }  # fmt: skip
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
    finally:
        proc.stop()
    assert s.ari_app not in asterisk_server.cli("ari show apps")


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
