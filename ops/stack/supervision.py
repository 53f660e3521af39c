"""When the stack's supervisor restarts a process that died: a pure policy, no processes or sleeps.

The supervisor's loop (:mod:`ops.stack.supervisor`) looks at which processes are alive, asks
:meth:`SupervisionPolicy.due` which to start now, starts them and reports each result with
:meth:`SupervisionPolicy.started`. Times are the injected clock's seconds, so a test drives
the policy with a fake clock and a dict of alive processes.

Back-off: a process that dies waits ``first_s`` before its restart; each further death
or failed start in a row (none of them up ``stable_s``) doubles the wait up to ``max_s``.
One that stayed up ``stable_s`` starts over at ``first_s``. After ``give_up_after`` in a row
it is left down (``given-up``) for an operator: ``stack up`` starts it and a fresh supervisor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SupervisionState = Literal["running", "backing-off", "given-up"]


@dataclass(frozen=True)
class RestartBackoff:
    first_s: float = 1.0
    max_s: float = 60.0
    stable_s: float = 30.0
    # 1+2+4+...+60: about a quarter of an hour of failing before the supervisor stops trying.
    give_up_after: int = 20

    def delay(self, in_a_row: int) -> float:
        """The wait before the restart after ``in_a_row`` (>= 1) deaths or failed starts in a row."""
        return min(self.first_s * 2 ** (in_a_row - 1), self.max_s)


@dataclass
class ProcessSupervision:
    """What the supervisor knows of one process; written to the state file as is."""

    state: SupervisionState = "running"
    restarts: int = 0
    up_since: float | None = None
    last_exit_at: float | None = None
    next_attempt_at: float | None = None
    backoff_s: float = 0.0
    in_a_row: int = 0
    last_error: str = ""


@dataclass
class SupervisionPolicy:
    names: tuple[str, ...]  # in start order: a Redis that died restarts before the processes needing it
    now: float
    backoff: RestartBackoff = field(default_factory=RestartBackoff)
    table: dict[str, ProcessSupervision] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.names:
            self.table.setdefault(name, ProcessSupervision(up_since=self.now))

    def due(self, now: float, alive: Mapping[str, bool]) -> list[str]:
        """The processes to start now, in start order, given which are ``alive``."""
        starting = []
        for name in self.names:
            entry = self.table[name]
            if alive[name]:
                if entry.state != "running":  # started by someone else meanwhile (e.g. by hand)
                    self._running(entry, now)
                elif entry.in_a_row and entry.up_since is not None and now - entry.up_since >= self.backoff.stable_s:
                    entry.in_a_row, entry.backoff_s = 0, 0.0  # up long enough: the next death waits first_s
                continue
            if entry.state == "running":
                self._died(entry, now)
            if entry.state == "backing-off" and entry.next_attempt_at is not None and now >= entry.next_attempt_at:
                starting.append(name)
        return starting

    def started(self, name: str, now: float, error: str | None = None) -> None:
        """Report a start the loop made: ``error`` None if it came up, else why not."""
        entry = self.table[name]
        if error is None:
            entry.restarts += 1
            self._running(entry, now)
            return
        entry.last_error = error
        entry.in_a_row += 1
        self._back_off(entry, now)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: asdict(self.table[name]) for name in self.names}

    def _died(self, entry: ProcessSupervision, now: float) -> None:
        entry.last_exit_at, entry.up_since = now, None
        entry.in_a_row += 1
        self._back_off(entry, now)

    def _back_off(self, entry: ProcessSupervision, now: float) -> None:
        if entry.in_a_row > self.backoff.give_up_after:
            entry.state, entry.next_attempt_at = "given-up", None
            return
        entry.backoff_s = self.backoff.delay(entry.in_a_row)
        entry.state, entry.next_attempt_at = "backing-off", now + entry.backoff_s

    @staticmethod
    def _running(entry: ProcessSupervision, now: float) -> None:
        # in_a_row and backoff_s stay until it has been up stable_s (see due): a process that
        # starts and dies at once keeps doubling its wait.
        entry.state, entry.up_since, entry.next_attempt_at = "running", now, None


def status_fields(entry: Mapping[str, Any], now: float) -> dict[str, Any]:
    """The fields ``stack status`` adds to a supervised component, from its state-file entry."""
    fields: dict[str, Any] = {"supervision": entry["state"], "restarts": entry["restarts"],
                              "backoff_s": entry["backoff_s"]}  # fmt: skip
    if entry.get("next_attempt_at") is not None:
        fields["next_attempt_in_s"] = round(max(0.0, entry["next_attempt_at"] - now), 1)
    if entry.get("last_exit_at") is not None:
        fields["last_exit_at"] = entry["last_exit_at"]
    if entry.get("last_error"):
        fields["last_error"] = entry["last_error"]
    return fields

