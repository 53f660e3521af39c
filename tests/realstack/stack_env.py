"""A whole stack (``manage.py stack up``) on its own var dir and free ports, for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
