"""The stack's supervisor (``manage.py stack supervise``, started last by ``stack up``): restarts
a process of the stack that died, with the back-off of :class:`~ops.stack.supervision.SupervisionPolicy`,
and keeps its state in ``var/run/supervisor.json`` for ``stack status``.

``stack down`` stops it first, so what an operator stops stays stopped. A restart goes through
the runner's own start step (:meth:`ops.stack.runner.Stack.start_component`): Asterisk is
rendered from the database as on ``stack up``, pbx gets a freshly published snapshot.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ops.stack.processes import ManagedProcess
from ops.stack.supervision import SupervisionPolicy, status_fields

SUPERVISOR_STATE_FILE = "supervisor.json"
POLL_S = 0.5  # how soon a death is noticed: well below the first back-off
REWRITE_S = 5.0

log = logging.getLogger(__name__)


def write_state(path: Path, state: Mapping[str, Any]) -> None:
    """Atomically: ``stack status`` never reads a half-written file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, indent=1) + "\n")
    os.replace(tmp, path)


def read_state(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


@dataclass
class Supervisor:
    """The loop around the policy; the process table (``alive``, ``start``) and the clock are injected."""

    policy: SupervisionPolicy
    alive: Callable[[], dict[str, bool]]
    start: Callable[[str], None]  # starts one process and waits until ready; raises if it could not
    state_file: Path
    clock: Callable[[], float] = time.time
    _written: dict[str, Any] | None = field(default=None, init=False)
    _written_at: float = field(default=0.0, init=False)

    def tick(self) -> list[str]:
        """One look at the processes: restart those due; returns the names it started."""
        due = self.policy.due(self.clock(), self.alive())
        for name in due:
            log.warning("%s is down: restarting it (attempt after %.0f s back-off)", name,
                        self.policy.table[name].backoff_s)  # fmt: skip
            try:
                self.start(name)
            except Exception as exc:  # a failed start is a longer back-off, not the supervisor's end
                log.error("%s did not start: %s", name, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                self.policy.started(name, self.clock(), error=f"{type(exc).__name__}: {exc}"[:500])
            else:
                log.warning("%s restarted", name)
                self.policy.started(name, self.clock())
        self.write()
        return due

    def write(self) -> None:
        """The state file, when something changed or every REWRITE_S (its ``updated_at`` says the
        supervisor is alive). A full disk is logged, and supervision goes on without the file."""
        processes, now = self.policy.snapshot(), self.clock()
        if processes == self._written and now - self._written_at < REWRITE_S:
            return
        try:
            write_state(self.state_file, {"pid": os.getpid(), "updated_at": now, "processes": processes})
        except OSError as exc:
            log.error("cannot write %s: %s", self.state_file, exc)
            return
        self._written, self._written_at = processes, now

    def run_forever(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.write()
        while True:
            self.tick()
            sleep(POLL_S)


def stack_supervisor(stack: Any) -> Supervisor:
    """The supervisor of a :class:`~ops.stack.runner.Stack` (passed in: the runner imports this module)."""
    processes: list[tuple[str, ManagedProcess]] = stack.procs.in_start_order()
    names = tuple(name for name, _ in processes)
    return Supervisor(
        policy=SupervisionPolicy(names, now=time.time()),
        alive=lambda: {name: proc.running() for name, proc in processes},
        start=stack.start_component,
        state_file=stack.config.run_dir / SUPERVISOR_STATE_FILE,
    )


def run(stack: Any) -> None:
    """``stack supervise``: until SIGTERM (``stack down``, or ``stack up`` replacing it)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def stop(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    supervisor = stack_supervisor(stack)
    log.info("supervising %s", ", ".join(supervisor.policy.names))
    supervisor.run_forever()


def supervision_report(process: ManagedProcess, state_file: Path, components: dict[str, dict[str, Any]],
                       now: float | None = None) -> dict[str, Any]:  # fmt: skip
    """``stack status``'s ``supervisor`` entry; adds each supervised component's restarts and
    back-off to ``components`` (only while the supervisor runs: a stopped one's file is history)."""
    pid = process.pid()
    report: dict[str, Any] = {"ok": pid is not None, "pid": pid, "state_file": str(state_file)}
    state = read_state(state_file) if pid is not None else None
    if state is None:
        if pid is None:
            report["error"] = "not running: nothing restarts a process that dies; run `manage.py stack up`"
        return report
    now = time.time() if now is None else now
    report["updated_s_ago"] = round(now - state["updated_at"], 1)
    for name, entry in state["processes"].items():
        if name in components:
            components[name].update(status_fields(entry, now))
    return report
