"""The whole stack through ``manage.py stack``: up, every check a real round trip, down."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from contactcenter.site.config import DIALER_LOCK_KEY, REPO_DIR, StackConfig
from contactcenter.site.secrets import load_secrets
from ops.stack.components import instance_name
from ops.stack.processes import free_port
from workers.metric_specs import METRIC_NAMES

pytestmark = pytest.mark.realstack

COMPONENTS = {"asterisk", "ari", "ami", "redis", "celery", "database", "pbx", "web", "guard", "dialer"}


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def stack_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        "CC_VAR_DIR": str(tmp_path / "var"),
        "CC_WEB_PORT": str(free_port()),
        "CC_ASTERISK_HTTP_PORT": str(free_port()),
        "CC_AMI_PORT": str(free_port()),
        "CC_SIP_PORT": str(free_port(udp=True)),
        "CC_REDIS_PORT": str(free_port()),
        "CC_PBX_HEALTH_PORT": str(free_port()),
        "CC_RTP_START": "31000",
        "CC_RTP_END": "31199",
    }
    yield env
    # The stack's Asterisk instance lives in the shared chroot: remove it with the test's var/.
    config = StackConfig.from_env(env)
    shutil.rmtree(config.asterisk_root / "srv" / "contactcenter" / instance_name(config), ignore_errors=True)


def _pids(var_dir: Path) -> list[int]:
    return [int(p.read_text().split()[0]) for p in (var_dir / "run").glob("*.pid")]


def test_stack_up_status_down(stack_env: dict[str, str]) -> None:
    var_dir = Path(stack_env["CC_VAR_DIR"])
    assert manage(stack_env, "migrate", "--noinput").returncode == 0
    alembic = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=REPO_DIR, env=stack_env,
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert alembic.returncode == 0, alembic.stderr
    up = manage(stack_env, "stack", "up")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        status = manage(stack_env, "stack", "status", "--json")
        report = json.loads(status.stdout)
        assert set(report["components"]) == COMPONENTS
        failing = {k: v for k, v in report["components"].items() if not v["ok"]}
        assert not failing, failing
        assert status.returncode == 0
        pids = _pids(var_dir)
        assert len(pids) == 8  # redis, asterisk, web, celery, pbx, guard, dialer and the supervisor
        assert report["supervisor"]["ok"] and report["components"]["guard"]["restarts"] == 0
        assert report["components"]["pbx"]["bot"]["ready"] is True
        # The dialer yields the CPU to the processes carrying live calls.
        from ops.stack.components import DIALER_NICE

        def pid_of(name: str) -> int:
            return int((var_dir / "run" / f"{name}.pid").read_text().split()[0])

        assert os.getpriority(os.PRIO_PROCESS, pid_of("dialer")) == DIALER_NICE > 0
        assert os.getpriority(os.PRIO_PROCESS, pid_of("pbx")) == 0
        # In-process (the default) pbx recognises speech itself; its worker takes only the default queue.
        assert report["components"]["pbx"]["bot"]["speech_mode"] == "in-process"
        assert report["components"]["celery"]["queues"] == "default"
        _redis_asks_for_the_password_and_nothing_shows_it(stack_env, status.stdout, pids)
        _curl_lists_the_metrics_of_the_running_stack(stack_env)

        # Speech moved onto Celery: `stack up` again restarts pbx and the worker in that mode.
        celery_env = {**stack_env, "CC_SPEECH_MODE": "celery", "CC_WORKER_CONCURRENCY": "1"}
        again = manage(celery_env, "stack", "up")
        assert again.returncode == 0 and "speech mode in-process -> celery" in again.stdout, again.stdout + again.stderr
        report = json.loads(manage(celery_env, "stack", "status", "--json").stdout)
        assert report["ok"], report
        assert report["components"]["pbx"]["bot"]["speech_mode"] == "celery"
        assert report["components"]["pbx"]["bot"]["asr"] == "celery:moonshine"
        assert report["components"]["celery"]["queues"] == "asr,default"
        pids = sorted(set(pids) | set(_pids(var_dir)))
    finally:
        down = manage(stack_env, "stack", "down")
    assert down.returncode == 0
    assert all(name in down.stdout for name in ("redis", "asterisk", "web", "celery", "pbx", "guard", "dialer",
                                                "supervisor"))  # fmt: skip
    assert down.stdout.index("supervisor") < down.stdout.index("dialer")  # first: nothing restarts what down stops
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().split(")")[-1].split()[0] == "Z", f"pid {pid} still runs"
    # With the stack down, status reports it rather than crashing.
    after = manage(stack_env, "stack", "status", "--json")
    assert after.returncode == 1
    assert json.loads(after.stdout)["components"]["redis"]["ok"] is False


def _curl(*argv: str) -> tuple[int, str]:
    done = subprocess.run(["curl", "--silent", "--max-time", "10", "--write-out", "\n%{http_code}", *argv],
                          capture_output=True, text=True, timeout=20)  # fmt: skip
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


def _curl_lists_the_metrics_of_the_running_stack(env: dict[str, str]) -> None:
    """The acceptance's ``curl /metrics``, on the stack: every name, pbx reporting its gauges
    (Asterisk's count of the site's fail-safe queue), the processes' files in var/metrics; and
    Asterisk's own /metrics behind the installation's password."""
    config = StackConfig.from_env(env)
    secrets = load_secrets(config.secrets_file)
    status, text = _curl("--header", f"Authorization: Bearer {secrets.metrics_token}", f"{config.web_url}/metrics")
    assert status == 200, text
    assert METRIC_NAMES <= {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}
    assert "cc_pbx_reporting 1.0" in text.splitlines()
    assert 'cc_queue_waiting_calls{queue="support"} 0.0' in text.splitlines()
    assert any(config.metrics_dir.glob("histogram_*.db"))  # pbx's latency histograms, made at its start
    assert _curl(f"{config.web_url}/metrics")[0] == 401
    asterisk = f"http://127.0.0.1:{config.ports.asterisk_http}/metrics"
    status, text = _curl("--user", f"prometheus:{secrets.asterisk_metrics_password}", asterisk)
    assert status == 200 and "asterisk_core_uptime_seconds" in text
    assert _curl(asterisk)[0] == 401


def _redis_asks_for_the_password_and_nothing_shows_it(env: dict[str, str], status: str, pids: list[int]) -> None:
    """pbx, celery, web and the dialer passed their checks above through the password-protected
    Redis; a client without the password is refused, and no log, status or command line shows it."""
    config = StackConfig.from_env(env)
    password = load_secrets(config.secrets_file).redis_password
    with pytest.raises(redis.AuthenticationError):
        redis.Redis.from_url(config.redis_address, socket_timeout=2).get(DIALER_LOCK_KEY)
    assert redis.Redis.from_url(config.redis_url, socket_timeout=2).get(DIALER_LOCK_KEY) is not None
    assert password not in status
    for pid in pids:
        assert password.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
    for log in config.log_dir.glob("*.log"):
        assert password not in log.read_text(errors="replace"), log.name


def test_port_in_use_is_one_clear_error(stack_env: dict[str, str]) -> None:
    import socket

    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", int(stack_env["CC_REDIS_PORT"])))
        blocker.listen()
        result = manage(stack_env, "stack", "up")
    manage(stack_env, "stack", "down")
    assert result.returncode != 0
    assert "CC_REDIS_PORT" in result.stderr and "already in use" in result.stderr
    assert "Traceback" not in result.stderr
