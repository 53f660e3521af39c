from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from contactcenter.site.config import ConfigError
from ops.stack.processes import ManagedProcess, ProcessSpec, child_pids, free_port, port_in_use, wait_for


def sleeper(tmp_path: Path, *code: str) -> ManagedProcess:
    script = "; ".join(code) or "import time; time.sleep(60)"
    return ManagedProcess(
        ProcessSpec("sleeper", (sys.executable, "-c", script), tmp_path / "s.log", tmp_path / "s.pid", tmp_path)
    )


def test_start_is_idempotent_and_stop_ends_the_group(tmp_path: Path) -> None:
    proc = sleeper(tmp_path, "import subprocess, time", "subprocess.Popen(['sleep', '60'])", "time.sleep(60)")
    pid = proc.start()
    assert proc.start() == pid and proc.running()
    assert proc.stop(timeout=5) is True
    assert not proc.running() and not proc.spec.pid_file.exists()
    assert proc.stop() is False


def test_child_pids_are_the_processes_it_started(tmp_path: Path) -> None:
    proc = sleeper(tmp_path, "import subprocess, sys, time",
                   "child = subprocess.Popen(['sleep', '60'])", "print(child.pid, flush=True)", "time.sleep(60)")  # fmt: skip
    pid = proc.start()
    try:
        wait_for(lambda: proc.log_tail(1).strip().isdigit(), 10, "sleeper", alive=proc.running)
        assert child_pids(pid) == [int(proc.log_tail(1))]
    finally:
        proc.stop(timeout=5)
    assert child_pids(pid) == []


def test_a_reused_pid_is_not_ours(tmp_path: Path) -> None:
    proc = sleeper(tmp_path)
    # Our own pid with a start time that is not ours: a pid reused by another program.
    proc.spec.pid_file.write_text(f"{os.getpid()} 1\n")
    assert proc.pid() is None
    assert not proc.spec.pid_file.exists()


def test_missing_binary_is_a_clear_error(tmp_path: Path) -> None:
    proc = ManagedProcess(ProcessSpec("x", ("/nonexistent/bin",), tmp_path / "x.log", tmp_path / "x.pid", tmp_path))
    with pytest.raises(ConfigError, match="not installed"):
        proc.start()


def test_wait_for_reports_an_exited_process(tmp_path: Path) -> None:
    proc = sleeper(tmp_path, "raise SystemExit(3)")
    proc.start()
    with pytest.raises(ConfigError, match="exited while starting"):
        wait_for(lambda: False, 10, "sleeper", alive=proc.running)


def test_port_in_use() -> None:
    port = free_port()
    assert not port_in_use(port)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        assert port_in_use(port)


def test_a_process_found_dead_or_stopped_is_reported_once_with_its_pid(tmp_path: Path) -> None:
    """What the stack marks dead in the metrics folder (``workers.metrics.mark_dead``)."""
    gone: list[int] = []
    first = ManagedProcess(sleeper(tmp_path).spec, on_exit=gone.append)
    died = first.start()
    os.kill(died, 9)
    wait_for(lambda: not first.running(), 5, "the sleeper's death")
    assert gone == [died]
    assert not first.running() and gone == [died]  # the pid file is gone: told once
    stopped = first.start()
    first.stop(timeout=5)
    assert gone == [died, stopped]


def test_a_dead_process_leaves_the_live_gauges_but_not_the_counters(tmp_path: Path) -> None:
    from workers.metrics import mark_dead

    files = ["gauge_livesum_4242.db", "counter_4242.db", "histogram_4242.db", "gauge_livesum_4343.db"]
    for name in files:
        (tmp_path / name).write_bytes(b"")
    mark_dead(4242, str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_4242.db", "gauge_livesum_4343.db",
                                                          "histogram_4242.db"]  # fmt: skip
