"""CPU time each process of a benchmark's stack spent over one timed run.

The dialer benchmark's two sides share two cores with Asterisk, sipp, Redis and pbx; how much
CPU each party took in a run says where a side's extra time went. Read from
``/proc/PID/stat`` (user + system, all threads, including ones that ended during the run), so
the unit is a clock tick (10 ms on Debian): meaningful on bursts of 50 calls and more.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

_TICK_S = 1 / os.sysconf("SC_CLK_TCK")
SELF = "this process"


def process_cpu_s(pid: int, main_thread_only: bool = False) -> float | None:
    """User + system seconds of ``pid`` so far (or of its main thread only), None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/task/{pid}/stat" if main_thread_only else f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name (which may hold spaces), counted from field 3.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) * _TICK_S


class CpuMeter:
    """``start()`` then ``stop()``: CPU seconds per named process in between (and this process's);
    ``main_threads``: also a process's main thread alone (pbx's event loop, apart from its ledger
    writer and other worker threads)."""

    def __init__(self, pids: Mapping[str, Callable[[], int | None]],
                 main_threads: Mapping[str, Callable[[], int | None]] | None = None) -> None:  # fmt: skip
        self._pids = pids
        self._main_threads = main_threads or {}
        self._before: dict[str, float] = {}

    def _sample(self) -> dict[str, float]:
        sample = {SELF: time.process_time()}
        for processes, main_thread_only in ((self._pids, False), (self._main_threads, True)):
            for name, pid_of in processes.items():
                pid = pid_of()
                cpu = process_cpu_s(pid, main_thread_only) if pid is not None else None
                if cpu is not None:
                    sample[name] = cpu
        return sample

    def start(self) -> None:
        self._before = self._sample()

    def stop(self) -> dict[str, float]:
        after = self._sample()
        return {name: round(after[name] - before, 3) for name, before in self._before.items() if name in after}


def wait_until_quiet(pids: Mapping[str, Callable[[], int | None]], timeout_s: float, window_s: float = 0.5,
                     max_share: float = 0.1) -> bool:  # fmt: skip
    """Until these processes together used under ``max_share`` of a core over ``window_s`` (a
    bot still transcribing the last round's calls would slow the next round). False on timeout."""
    deadline = time.monotonic() + timeout_s
    meter = CpuMeter(pids)
    while time.monotonic() < deadline:
        meter.start()
        time.sleep(window_s)
        used = sum(v for k, v in meter.stop().items() if k != SELF)
        if used < max_share * window_s:
            return True
    return False
