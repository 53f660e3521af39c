"""A whole stack (``manage.py stack up``) on its own var dir and free ports, for end-to-end tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from contactcenter.site.config import REPO_DIR, StackConfig
from ops.stack.components import instance_name
from ops.stack.processes import free_port, port_in_use


def _udp_pair() -> int:
    """A free UDP port whose next port is free too (the demo's two simulated softphones)."""
    while True:
        port = free_port(udp=True)
        if port < 65535 and not port_in_use(port + 1, udp=True):
            return port


@contextmanager
def stack_env(var_dir: Path, rtp_start: int = 32000) -> Iterator[dict[str, str]]:
    """The environment of a stack in ``var_dir``; the stack is stopped and its Asterisk instance
    removed afterwards (start it with ``run(env, sys.executable, "manage.py", "stack", "up")``)."""
    env = {
        **os.environ, "CC_VAR_DIR": str(var_dir), "CC_SIM_AGENT_PORT": str(_udp_pair()),
        "CC_WEB_PORT": str(free_port()), "CC_ASTERISK_HTTP_PORT": str(free_port()), "CC_AMI_PORT": str(free_port()),
        "CC_SIP_PORT": str(free_port(udp=True)), "CC_REDIS_PORT": str(free_port()),
        "CC_PBX_HEALTH_PORT": str(free_port()), "CC_RTP_START": str(rtp_start), "CC_RTP_END": str(rtp_start + 399),
    }  # fmt: skip
    try:
        yield env
    finally:
        subprocess.run([sys.executable, "manage.py", "stack", "down"], cwd=REPO_DIR, env=env, timeout=120)
        config = StackConfig.from_env(env)
        shutil.rmtree(config.asterisk_root / "srv" / "contactcenter" / instance_name(config), ignore_errors=True)


def run(env: dict[str, str], *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=timeout)


@contextmanager
def running_stack(var_dir: Path, rtp_start: int, before_up: tuple[tuple[str, ...], ...] = ()) -> Iterator[dict[str, str]]:
    """A migrated stack up in ``var_dir`` (its environment), stopped and removed afterwards;
    ``before_up``: ``python`` commands run before ``stack up`` (e.g. the demo's people, rendered by it)."""
    with stack_env(var_dir, rtp_start=rtp_start) as env:
        for argv in (("manage.py", "migrate", "--noinput"), ("-m", "alembic", "upgrade", "head"), *before_up,
                     ("manage.py", "stack", "up")):  # fmt: skip
            result = run(env, sys.executable, *argv)
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        yield env


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def __call__(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None)  # fmt: skip
        request.add_header("Authorization", f"Token {self.token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def ok(self, method: str, path: str, body: dict | None = None) -> Any:
        status, answer = self(method, path, body)
        assert status in (200, 201, 204), f"{method} {path}: {status} {answer}"
        return answer


def admin_api(env: dict[str, str]) -> Api:
    """The REST API of the stack as a new admin (``boss``), with their token."""
    assert run(env, sys.executable, "manage.py", "create_user", "boss", "--role", "admin",
               "--generate-password").returncode == 0  # fmt: skip
    token = run(env, sys.executable, "manage.py", "api_token", "boss").stdout.strip()
    return Api(StackConfig.from_env(env).web_url, token)


def console_user(env: dict[str, str], username: str, password_file: Path) -> Path:
    """A user who may work the console (``--role agent``); their password is in ``password_file``."""
    password_file.write_text("console-pass-123\n")
    assert run(env, sys.executable, "manage.py", "create_user", username, "--role", "agent", "--password-file",
               str(password_file)).returncode == 0  # fmt: skip
    return password_file
