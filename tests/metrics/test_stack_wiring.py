"""How the stack wires metrics: every process it starts writes to one multiprocess folder under
var/, ``stack up`` empties it only when no process writing it runs, a process that exits is
marked dead there, and Asterisk's /metrics gets the installation's password."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from contactcenter.site.config import StackConfig
from contactcenter.site.secrets import ensure_secrets
from ops.stack.components import build_processes
from ops.stack.processes import ManagedProcess, ProcessSpec
from ops.stack.runner import Stack


@pytest.fixture
def stack(tmp_path: Path) -> Stack:
    config = StackConfig.from_env({"CC_VAR_DIR": str(tmp_path / "var")})
    secrets = ensure_secrets(config.secrets_file)
    return Stack(config, secrets, build_processes(config, secrets, None))


def test_every_python_process_writes_to_the_var_metrics_folder_and_is_marked_dead_there(stack: Stack) -> None:
    folder = stack.config.metrics_dir
    assert folder == stack.config.var_dir / "metrics"
    python = [stack.procs.web, stack.procs.celery, stack.procs.pbx, stack.procs.guard, stack.procs.dialer,
              stack.procs.supervisor]  # fmt: skip
    for proc in python:
        assert proc.spec.env["PROMETHEUS_MULTIPROC_DIR"] == str(folder), proc.name
    folder.mkdir(parents=True)
    (folder / "gauge_livesum_777.db").write_bytes(b"")
    (folder / "counter_777.db").write_bytes(b"")
    stack.procs.pbx._exited(777)  # pbx's pid 777 was found gone
    assert sorted(p.name for p in folder.iterdir()) == ["counter_777.db"]


def test_stack_up_empties_the_folder_only_when_no_writer_runs(stack: Stack, tmp_path: Path) -> None:
    folder = stack.config.metrics_dir
    folder.mkdir(parents=True)
    (folder / "counter_1.db").write_bytes(b"")
    stack._prepare_metrics_dir()
    assert folder.is_dir() and list(folder.iterdir()) == []

    (folder / "counter_2.db").write_bytes(b"")
    pbx = ManagedProcess(ProcessSpec("pbx", (sys.executable, "-c", "import time; time.sleep(60)"),
                                     tmp_path / "pbx.log", tmp_path / "pbx.pid", tmp_path))  # fmt: skip
    running = Stack(stack.config, stack.secrets, dataclasses.replace(stack.procs, pbx=pbx))
    pbx.start()
    try:
        running._prepare_metrics_dir()  # pbx runs: its counters (and a restarted one's) stay in the sum
    finally:
        pbx.stop(timeout=5)
    assert [p.name for p in folder.iterdir()] == ["counter_2.db"]


def test_asterisks_metrics_password_is_the_installations_secret(stack: Stack) -> None:
    settings = stack.procs.asterisk.settings
    assert settings.metrics_password == stack.secrets.asterisk_metrics_password
    assert len(settings.metrics_password) == 32 and settings.metrics_password != stack.secrets.metrics_token
