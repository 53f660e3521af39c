"""``python -m pbx`` against a given Asterisk instance and Redis: one place for its environment.

The stack runner builds pbx from the installation's config and secrets
(:func:`ops.stack.components.pbx_env`); tests and benchmarks start a throwaway
Asterisk (:class:`AsteriskInstance` on free ports) and Redis and need the same process wired
to those instead. :class:`PbxProcess` does that: it derives every ``PBX_*`` variable from the
Asterisk instance's settings, gives pbx its own var dir (so its call ledger is a fresh SQLite
file, migrated with Alembic before start), a free health port, and waits until the health
endpoint says ARI and AMI are connected (and, if asked, that the bot's models loaded).

    pbx = PbxProcess(asterisk, redis.url, work_dir, failsafe_queue="sales")
    pbx.start()
    guard = pbx.companion("guard", "pbx.guard")   # same env, e.g. the fail-safe guard
    ...
    pbx.stop()
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contactcenter.site.config import REPO_DIR, ConfigError, StackConfig
from ops.stack.asterisk import AsteriskInstance
from ops.stack.components import pbx_wiring
from ops.stack.processes import ManagedProcess, ProcessSpec, free_port, wait_for


def pbx_env_for(asterisk: AsteriskInstance, redis_url: str, var_dir: Path, *, health_port: int,
                failsafe_queue: str = "support", consumer_name: str | None = None,
                overrides: Mapping[str, str] | None = None) -> dict[str, str]:  # fmt: skip
    """pbx's environment for this Asterisk instance and Redis (the process environment underneath)."""
    env = {
        **os.environ,
        "CC_VAR_DIR": str(var_dir),
        **pbx_wiring(asterisk.settings, asterisk.root, redis_url, health_port, failsafe_queue),
        "PBX_MEDIA_FORMAT": "ulaw",
        "PBX_CONSUMER_NAME": consumer_name or f"pbx-{os.getpid()}",
        "CC_ASR_ENGINE": "moonshine",
        "CC_TTS_CACHE_DIR": str(StackConfig.from_env().cache_dir / "tts"),
        "PYTHONUNBUFFERED": "1",
    }
    # The ledger goes into var_dir's SQLite file unless the caller names a database.
    env.pop("LEDGER_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    env.update(overrides or {})
    return env


def health(port: int, timeout: float = 1.0) -> dict[str, Any]:
    """pbx's ``GET /health``, or ``{}`` while it is not answering."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=timeout) as response:
            return json.load(response)
    except (OSError, ValueError):
        return {}


class PbxProcess:
    """One ``python -m pbx`` with its own var dir, log and pid file under ``work_dir``."""

    def __init__(self, asterisk: AsteriskInstance, redis_url: str, work_dir: Path, *,
                 failsafe_queue: str = "support", consumer_name: str | None = None,
                 env: Mapping[str, str] | None = None, name: str = "pbx", module: str = "pbx") -> None:  # fmt: skip
        self.asterisk = asterisk
        self.work_dir = work_dir
        self.var_dir = work_dir / "var"
        self.health_port = free_port()
        self.env = pbx_env_for(asterisk, redis_url, self.var_dir, health_port=self.health_port,
                               failsafe_queue=failsafe_queue, consumer_name=consumer_name, overrides=env)  # fmt: skip
        self._companions: list[ManagedProcess] = []
        self._migrated = False
        self.process = self.companion(name, module)  # another module only to wrap pbx (diagnostics)

    def companion(self, name: str, module: str) -> ManagedProcess:
        """A module run with pbx's environment (``pbx`` itself, ``pbx.guard``); all stop in :meth:`stop`."""
        process = ManagedProcess(ProcessSpec(name, (sys.executable, "-m", module), self.work_dir / f"{name}.log",
                                             self.work_dir / f"{name}.pid", REPO_DIR, self.env))  # fmt: skip
        self._companions.append(process)
        return process

    @property
    def log_file(self) -> Path:
        return self.process.spec.log_file

    def migrate_ledger(self, timeout: float = 120.0) -> None:
        """Create the call ledger's tables (Alembic) in pbx's database; once per instance."""
        if self._migrated:
            return
        self.var_dir.mkdir(parents=True, exist_ok=True)
        result = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=REPO_DIR, env=self.env,
                                capture_output=True, text=True, timeout=timeout)  # fmt: skip
        if result.returncode != 0:
            raise ConfigError(f"pbx ledger migration failed:\n{result.stderr[-2000:]}")
        self._migrated = True

    def health(self) -> dict[str, Any]:
        return health(self.health_port)

    def ready(self, bot: bool = False) -> bool:
        report = self.health()
        return bool(report.get("ok")) and (not bot or report.get("bot", {}).get("ready") is True)

    def start(self, timeout: float = 60.0, wait_for_bot: bool = False) -> None:
        """Start pbx and wait until ARI and AMI are connected (and the bot is ready, if asked)."""
        self.migrate_ledger()
        self.process.start()
        what = "pbx with its bot" if wait_for_bot else "pbx"
        try:
            wait_for(lambda: self.ready(bot=wait_for_bot), timeout, what, alive=self.process.running)
        except ConfigError as exc:
            raise ConfigError(f"{exc}; last lines of {self.log_file}:\n{self.process.log_tail(30)}") from None

    def stop(self) -> None:
        """Stop pbx and its companions; safe to call twice or before start."""
        for process in reversed(self._companions):
            process.stop()

    def log_tail(self, lines: int = 15) -> str:
        return self.process.log_tail(lines)

    def __enter__(self) -> PbxProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
