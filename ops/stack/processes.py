"""Start, find and stop the long-running processes of the stack.

A process is tracked by a pid file holding its pid and kernel start time, so a pid reused
by an unrelated program after a crash is never mistaken for ours (and never killed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from contactcenter.site.config import ConfigError


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: tuple[str, ...]
    log_file: Path
    pid_file: Path
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)


def _start_time(pid: int) -> str | None:
    """Kernel start time of ``pid`` (field 22 of /proc/pid/stat), None if gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    rest = stat[stat.rindex(")") + 2 :].split()
    state, start = rest[0], rest[19]
    return None if state in ("Z", "X") else start


def child_pids(pid: int) -> list[int]:
    """The processes ``pid`` started (e.g. a Celery worker's pool), from /proc; [] if it is gone."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return []
    children: list[int] = []
    for task in tasks:
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return children


def wait_for(check: Callable[[], bool], timeout: float, what: str, alive: Callable[[], bool] | None = None) -> None:
    """Wait until ``check()`` is true; fail early if ``alive()`` turns false.

    There is no event to wait on for "a server started listening", so this backs off from
    20 ms to 0.5 s between tries.
    """
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        if check():
            return
        if alive is not None and not alive():
            raise ConfigError(f"{what}: the process exited while starting")
        if time.monotonic() > deadline:
            raise ConfigError(f"{what}: not ready after {timeout:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


class ManagedProcess:
    def __init__(self, spec: ProcessSpec, on_exit: Callable[[int], None] | None = None) -> None:
        """``on_exit``: told the pid of our process once it is found gone (stopped, or died)."""
        self.spec = spec
        self._on_exit = on_exit
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    def pid(self) -> int | None:
        """The pid of our running process, or None (stale pid files are removed)."""
        try:
            pid_text, start = self.spec.pid_file.read_text().split()
            pid = int(pid_text)
        except (FileNotFoundError, ValueError):
            return None
        if _start_time(pid) != start:
            self._reap()
            self.spec.pid_file.unlink(missing_ok=True)
            self._exited(pid)
            return None
        return pid

    def _exited(self, pid: int) -> None:
        if self._on_exit is not None:
            try:
                self._on_exit(pid)
            except Exception as exc:  # bookkeeping after a death must not stop a restart or a stop
                print(f"[stack] {self.name}: after pid {pid} exited: {exc}", file=sys.stderr)

    def running(self) -> bool:
        return self.pid() is not None

    def start(self) -> int:
        if (pid := self.pid()) is not None:
            return pid
        self.spec.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.spec.pid_file.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.spec.env}
        with open(self.spec.log_file, "ab") as log:
            log.write(f"\n==== {time.strftime('%F %T')} starting {' '.join(self.spec.argv)}\n".encode())
            log.flush()
            try:
                # Own session: stopping the stack signals the whole group (Celery's children too),
                # and a Ctrl-C in the terminal that ran `stack up` does not reach it.
                self._popen = subprocess.Popen(
                    self.spec.argv,
                    cwd=self.spec.cwd,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except FileNotFoundError:
                raise ConfigError(f"{self.name}: {self.spec.argv[0]} is not installed; run `make setup`") from None
        pid = self._popen.pid
        start = _start_time(pid)
        if start is None:
            raise ConfigError(f"{self.name}: exited at once; see {self.spec.log_file}")
        self.spec.pid_file.write_text(f"{pid} {start}\n")
        return pid

    def stop(self, timeout: float = 15.0) -> bool:
        """Stop the process group; True if something was running."""
        pid = self.pid()
        if pid is None:
            return False
        self._signal_group(pid, signal.SIGTERM)
        try:
            wait_for(lambda: _start_time(pid) is None and not self._reap(), timeout, f"stopping {self.name}")
        except ConfigError:
            self._signal_group(pid, signal.SIGKILL)
            wait_for(lambda: _start_time(pid) is None and not self._reap(), 5, f"killing {self.name}")
        self.spec.pid_file.unlink(missing_ok=True)
        self._exited(pid)
        return True

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.spec.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    @staticmethod
    def _signal_group(pid: int, sig: signal.Signals) -> None:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(pid, sig)

    def _reap(self) -> bool:
        """Collect our own exited child so it does not linger as a zombie; True if still running."""
        if self._popen is None:
            return False
        return self._popen.poll() is None


def port_in_use(port: int, host: str = "127.0.0.1", udp: bool = False) -> bool:
    import socket

    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as sock:
        if not udp:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(udp: bool = False) -> int:
    import socket

    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
