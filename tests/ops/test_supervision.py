"""The supervisor's policy and loop with a fake clock and a fake process table."""

from __future__ import annotations

import json
from pathlib import Path

from ops.stack.processes import ManagedProcess, ProcessSpec
from ops.stack.supervision import RestartBackoff, SupervisionPolicy, status_fields
from ops.stack.supervisor import Supervisor, supervision_report

NAMES = ("redis", "pbx", "guard")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeTable:
    """Processes that are alive or not; ``start`` brings one up unless it is told to fail."""

    def __init__(self) -> None:
        self.alive = dict.fromkeys(NAMES, True)
        self.failing: set[str] = set()
        self.started: list[str] = []

    def start(self, name: str) -> None:
        self.started.append(name)
        if name in self.failing:
            raise RuntimeError(f"{name}: the process exited while starting")
        self.alive[name] = True


def supervisor(tmp_path: Path, backoff: RestartBackoff | None = None) -> tuple[Supervisor, FakeTable, FakeClock]:
    clock, table = FakeClock(), FakeTable()
    policy = SupervisionPolicy(NAMES, now=clock(), backoff=backoff or RestartBackoff())
    return Supervisor(policy, lambda: dict(table.alive), table.start, tmp_path / "supervisor.json", clock), table, clock


def test_a_dead_process_is_restarted_after_the_first_back_off(tmp_path: Path) -> None:
    sup, table, clock = supervisor(tmp_path)
    assert sup.tick() == []
    table.alive["guard"] = False
    assert sup.tick() == []  # noticed: waits first_s
    entry = sup.policy.table["guard"]
    assert entry.state == "backing-off" and entry.backoff_s == 1.0 and entry.last_exit_at == clock.now
    clock.now += 0.5
    assert sup.tick() == []
    clock.now += 0.5
    assert sup.tick() == ["guard"]
    assert entry.state == "running" and entry.restarts == 1
    state = json.loads((tmp_path / "supervisor.json").read_text())
    assert state["processes"]["guard"]["restarts"] == 1 and state["processes"]["pbx"]["restarts"] == 0


def test_a_process_that_keeps_dying_waits_longer_each_time_up_to_the_cap(tmp_path: Path) -> None:
    sup, table, clock = supervisor(tmp_path, RestartBackoff(first_s=1, max_s=8, stable_s=30, give_up_after=100))
    waits = []
    for _ in range(6):
        table.alive["pbx"] = False  # dies right after each start
        sup.tick()
        waits.append(sup.policy.table["pbx"].backoff_s)
        clock.now += waits[-1]
        assert sup.tick() == ["pbx"]
        clock.now += 2  # up two seconds: well short of stable_s
    assert waits == [1, 2, 4, 8, 8, 8]
    assert sup.policy.table["pbx"].restarts == 6


def test_the_back_off_starts_over_once_the_process_stayed_up(tmp_path: Path) -> None:
    sup, table, clock = supervisor(tmp_path, RestartBackoff(first_s=1, max_s=60, stable_s=30))
    for _ in range(3):
        table.alive["guard"] = False
        sup.tick()
        clock.now += sup.policy.table["guard"].backoff_s
        sup.tick()
    assert sup.policy.table["guard"].backoff_s == 4
    clock.now += 31
    sup.tick()  # seen up for stable_s
    assert sup.policy.table["guard"].backoff_s == 0
    table.alive["guard"] = False
    sup.tick()
    assert sup.policy.table["guard"].backoff_s == 1


def test_a_start_that_fails_backs_off_longer_then_the_supervisor_gives_up(tmp_path: Path) -> None:
    sup, table, clock = supervisor(tmp_path, RestartBackoff(first_s=1, max_s=4, give_up_after=4))
    table.failing.add("redis")
    table.alive["redis"] = False
    waits = []
    for _ in range(10):
        sup.tick()
        entry = sup.policy.table["redis"]
        if entry.state == "given-up":
            break
        waits.append(entry.backoff_s)
        clock.now += entry.backoff_s
    assert waits == [1, 2, 4, 4]
    assert entry.state == "given-up" and entry.next_attempt_at is None
    assert "exited while starting" in entry.last_error
    assert table.started == ["redis"] * 4
    clock.now += 3600
    assert sup.tick() == []  # left for an operator
    table.alive["redis"] = True  # who runs `stack up`
    sup.tick()
    assert entry.state == "running"


def test_dead_processes_restart_in_start_order(tmp_path: Path) -> None:
    sup, table, clock = supervisor(tmp_path)
    table.alive.update(guard=False, redis=False)
    sup.tick()
    clock.now += 1
    assert sup.tick() == ["redis", "guard"]


def test_status_fields_and_report_merge_the_state_file(tmp_path: Path) -> None:
    sup, table, clock = supervisor(tmp_path)
    table.alive["guard"] = False
    sup.tick()
    fields = status_fields(sup.policy.snapshot()["guard"], clock.now + 0.25)
    assert fields["supervision"] == "backing-off" and fields["restarts"] == 0
    assert fields["backoff_s"] == 1.0 and fields["next_attempt_in_s"] == 0.8
    # Merged into `stack status` only while the supervisor process runs.
    gone = ManagedProcess(ProcessSpec("supervisor", ("true",), tmp_path / "s.log", tmp_path / "s.pid", tmp_path))
    components = {"guard": {"ok": False}}
    report = supervision_report(gone, tmp_path / "supervisor.json", components)
    assert report["ok"] is False and "stack up" in report["error"] and components == {"guard": {"ok": False}}
    running = ManagedProcess(ProcessSpec("supervisor", ("sleep", "30"), tmp_path / "s.log", tmp_path / "s.pid", tmp_path))
    running.start()
    try:
        report = supervision_report(running, tmp_path / "supervisor.json", components, now=clock.now)
    finally:
        running.stop()
    assert report["ok"] is True and components["guard"]["supervision"] == "backing-off"


def test_the_state_file_is_rewritten_on_a_change_and_a_full_disk_does_not_stop_supervision(
        tmp_path: Path, monkeypatch) -> None:  # fmt: skip
    sup, table, clock = supervisor(tmp_path)
    sup.tick()
    first = json.loads(sup.state_file.read_text())["updated_at"]
    clock.now += 1
    sup.tick()  # nothing changed: not rewritten
    assert json.loads(sup.state_file.read_text())["updated_at"] == first
    clock.now += 5
    sup.tick()  # still alive, says so
    assert json.loads(sup.state_file.read_text())["updated_at"] == clock.now

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ops.stack.supervisor.write_state", disk_full)
    table.alive["guard"] = False
    sup.tick()
    clock.now += 1
    assert sup.tick() == ["guard"]
