"""One sipp user agent on 127.0.0.1: the process, and the SIP messages it logged."""

from __future__ import annotations

import shutil
from pathlib import Path

from ops.stack.processes import ManagedProcess, ProcessSpec, free_port


class SippProcess:
    def __init__(self, name: str, scenario: Path, port: int, work_dir: Path, options: tuple[str, ...] = ()) -> None:
        sipp = shutil.which("sipp")
        if sipp is None:
            raise RuntimeError("sipp is not installed (Debian package sip-tester); run `make setup`")
        work_dir.mkdir(parents=True, exist_ok=True)
        self.message_log = work_dir / f"{name}-messages.log"
        argv = (
            sipp, "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(port), *options,
            # Control and media sockets on loopback and free ports (sipp's default is 0.0.0.0:8888).
            "-nostdin", "-ci", "127.0.0.1", "-cp", str(free_port(udp=True)),
            "-mi", "127.0.0.1", "-mp", str(free_port(udp=True)),
            "-trace_logs", "-log_file", str(self.message_log),
            "-trace_err", "-error_file", str(work_dir / f"{name}-errors.log"),
        )  # fmt: skip
        self.process = ManagedProcess(
            ProcessSpec(f"sipp-{name}", argv, work_dir / f"{name}.out", work_dir / f"{name}.pid", work_dir)
        )

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.process.stop(timeout=3)

    def messages(self) -> str:
        """What the scenario logged so far (empty before its first message)."""
        try:
            return self.message_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""
