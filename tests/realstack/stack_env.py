"""A whole stack (``manage.py stack up``) on its own var dir and free ports, for end-to-end tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
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
def running_stack(var_dir: Path, rtp_start: int, before_up: tuple[tuple[str, ...], ...] = (),
                  settings: Mapping[str, str] | None = None) -> Iterator[dict[str, str]]:  # fmt: skip
    """A migrated stack up in ``var_dir`` (its environment), stopped and removed afterwards;
    ``before_up``: ``python`` commands run before ``stack up`` (e.g. the demo's people, rendered by it);
    ``settings``: variables added to its environment (e.g. ``CC_SPEECH_MODE``)."""
    with stack_env(var_dir, rtp_start=rtp_start) as base:
        env = {**base, **(settings or {})}
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


class DemoStack:
    """A stack with the demo's agents and queue (``manage.py demo_people`` before ``stack up``
    renders them), started by the first module that asks for it in the speech mode it asks for.
    A module asking for the other mode gets the same stack after ``stack up`` in that mode, which
    restarts pbx and the worker in it (tests/realstack/test_stack_cli.py checks that switch).
    One stack's start and stop instead of one per demo: each demo is a campaign of its own, as
    when `make demo` runs twice."""

    def __init__(self, var_dir: Path, exits: ExitStack) -> None:
        self._var_dir, self._exits = var_dir, exits
        self._env: dict[str, str] | None = None

    def in_mode(self, speech_mode: str) -> dict[str, str]:
        if self._env is None:
            self._env = self._exits.enter_context(running_stack(
                self._var_dir, rtp_start=32000, before_up=(("manage.py", "demo_people"),),
                settings={"CC_SPEECH_MODE": speech_mode}))  # fmt: skip
        elif self._env["CC_SPEECH_MODE"] != speech_mode:
            env = {**self._env, "CC_SPEECH_MODE": speech_mode}
            up = run(env, sys.executable, "manage.py", "stack", "up")
            assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-2000:]
            self._env = env
        return dict(self._env)
