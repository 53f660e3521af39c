"""A short version of `make demo` on its own stack: a campaign of five leads dialled by the
stack's dialer; every call accounted for, the escalating customers answered by an agent,
the routine ones completed by the bot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from contactcenter.site.config import REPO_DIR, StackConfig
from ops.stack.components import instance_name
from ops.stack.processes import free_port

pytestmark = pytest.mark.realstack


@pytest.fixture
def demo_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    sim_agent = free_port(udp=True)
    while sim_agent + 1 > 65535 or not _udp_free(sim_agent + 1):
        sim_agent = free_port(udp=True)
    env = {
        **os.environ, "CC_VAR_DIR": str(tmp_path / "var"), "CC_SIM_AGENTS": "1", "CC_SIM_AGENT_PORT": str(sim_agent),
        "CC_WEB_PORT": str(free_port()), "CC_ASTERISK_HTTP_PORT": str(free_port()), "CC_AMI_PORT": str(free_port()),
        "CC_SIP_PORT": str(free_port(udp=True)), "CC_REDIS_PORT": str(free_port()),
        "CC_PBX_HEALTH_PORT": str(free_port()), "CC_RTP_START": "32000", "CC_RTP_END": "32399",
    }  # fmt: skip
    yield env
    subprocess.run([sys.executable, "manage.py", "stack", "down"], cwd=REPO_DIR, env=env, timeout=120)
    config = StackConfig.from_env(env)
    shutil.rmtree(config.asterisk_root / "srv" / "contactcenter" / instance_name(config), ignore_errors=True)


def _udp_free(port: int) -> bool:
    from ops.stack.processes import port_in_use

    return not port_in_use(port, udp=True)


def _run(env: dict[str, str], *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=timeout)


def test_short_demo_accounts_for_every_call(demo_env: dict[str, str]) -> None:
    py = sys.executable
    assert _run(demo_env, py, "manage.py", "migrate", "--noinput").returncode == 0
    assert _run(demo_env, py, "-m", "alembic", "upgrade", "head").returncode == 0
    up = _run(demo_env, py, "manage.py", "stack", "up")
    assert up.returncode == 0, up.stdout + up.stderr
    demo = _run(demo_env, py, "manage.py", "demo", "--leads", "5", "--timeout", "240", "--browser-agent", "on",
                timeout=400)  # fmt: skip
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    summary = json.loads((Path(demo_env["CC_VAR_DIR"]) / "demo" / "summary.json").read_text())
    # A campaign of 5 imported leads, dialled by the stack's dialer: each lead called once, each call ended.
    assert summary["campaign"]["leads"] == 5
    assert summary["calls"] == 5 and summary["lost"] == 0 and summary["still_live"] == 0
    assert summary["expected_escalations_missed"] == [] and summary["routine_escalated"] == []
    assert summary["completed_by_bot"] == 3
    assert summary["escalated"] == 2 and summary["answered_by_agent"] == 2
    assert all(e["decision_to_queue_s"] is not None and e["decision_to_queue_s"] < 10 for e in summary["escalations"])
    # The agents got the VoiceWatch reason in the INVITE of each call they answered: the browser
    # agent at the console (offered each call first) on its screen-pop, the softphones the rest.
    reasons = sorted(e["reason"] for e in summary["escalations"])
    browser = summary["browser_agent"]
    assert browser["logged_in"] and browser["registered"] and browser["error"] == ""
    in_browser = [c for c in browser["calls"] if not c["error"]]
    assert len(in_browser) >= 1 and all(c["answered_at"] and c["disposition"] == "resolved" for c in in_browser)
    assert sorted([c["reason"] for c in summary["agent_softphones"]] + [c["reason"] for c in in_browser]) == reasons
    by_browser = {c["call_id"] for c in in_browser}
    assert {e["agent"] for e in summary["escalations"] if e["call_id"] in by_browser} == {"webagent1"}
