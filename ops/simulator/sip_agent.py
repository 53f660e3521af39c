"""A simulated agent softphone: sipp answering queue calls on a fixed address.

Point an agent endpoint's ``static_contact`` at ``contact`` and the queue rings this process.
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

from ops.stack.processes import ManagedProcess, ProcessSpec, free_port

_ANSWERED = re.compile(r"ANSWERED reason=(\S*) call=(\S*)")
_SUMMARY = re.compile(r"SUMMARY call=(\S*) summary=(\S*)")


class SippAgent:
    def __init__(self, name: str, port: int, work_dir: Path, calls: int = 1000) -> None:
        sipp = shutil.which("sipp")
        if sipp is None:
            raise RuntimeError("sipp is not installed (Debian package sip-tester); run `make setup`")
        self.name = name
        self.port = port
        self.work_dir = work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        scenario = resources.files("ops.simulator").joinpath("agent_uas.xml")
        self.message_log = work_dir / f"{name}-messages.log"
        argv = (
            sipp, "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(port), "-m", str(calls),
            "-nostdin", "-ci", "127.0.0.1", "-cp", str(free_port(udp=True)),
            "-mi", "127.0.0.1", "-mp", str(free_port(udp=True)),
            "-trace_logs", "-log_file", str(self.message_log), "-trace_err", "-error_file", str(work_dir / f"{name}-errors.log"),
        )  # fmt: skip
        self.process = ManagedProcess(
            ProcessSpec(f"sipp-{name}", argv, work_dir / f"{name}.out", work_dir / f"{name}.pid", work_dir)
        )

    @property
    def contact(self) -> str:
        return f"sip:{self.name}@127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        self.process.stop(timeout=3)

    def _log(self) -> str:
        try:
            return self.message_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def answered(self) -> list[tuple[str, str]]:
        """(reason, call id) of every call this agent answered, from the X-CC-* headers it got."""
        return _ANSWERED.findall(self._log())

    def summaries(self) -> dict[str, str]:
        """Call id -> the summary its INVITE carried (X-CC-Summary), decoded as the console decodes it."""
        return {call_id: unquote(summary) for call_id, summary in _SUMMARY.findall(self._log())}
