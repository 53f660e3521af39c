"""Simulated customers for load: one sipp process that answers every call it is sent.

Point Asterisk's trunk at ``port`` (``AsteriskSettings.trunk_port``) and every
``PJSIP/<number>@trunk`` call is answered at once, held ``hold_ms`` and hung up by the
customer (or, if Asterisk hangs up first, its BYE is answered). Answers and ends are counted
from sipp's message log, so the caller can check every call really reached a customer.
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

from ops.stack.processes import ManagedProcess, ProcessSpec, free_port

_ANSWERED = re.compile(r"^ANSWERED (\S+)", re.MULTILINE)
_ENDED = re.compile(r"^ENDED (\S+)", re.MULTILINE)


class SippCustomers:
    def __init__(self, port: int, work_dir: Path, hold_ms: int = 3000, name: str = "customers") -> None:
        sipp = shutil.which("sipp")
        if sipp is None:
            raise RuntimeError("sipp is not installed (Debian package sip-tester); run `make setup`")
        self.port = port
        self.hold_ms = hold_ms
        work_dir.mkdir(parents=True, exist_ok=True)
        template = resources.files("ops.simulator").joinpath("customer_uas.xml").read_text()
        scenario = work_dir / f"{name}_uas.xml"
        scenario.write_text(template.replace("HOLD_MS", str(int(hold_ms))))
        self.message_log = work_dir / f"{name}-messages.log"
        argv = (
            sipp, "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(port),
            "-nostdin", "-ci", "127.0.0.1", "-cp", str(free_port(udp=True)),
            "-mi", "127.0.0.1", "-mp", str(free_port(udp=True)),
            # Many calls at once: no per-call limit, answers as fast as INVITEs arrive.
            "-l", "100000", "-max_recv_loops", "100000",
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

    def _log(self) -> str:
        try:
            return self.message_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def answered(self) -> list[str]:
        """SIP Call-IDs of the calls answered so far (the ACK of our 200 OK arrived)."""
        return _ANSWERED.findall(self._log())

    def ended(self) -> list[str]:
        """SIP Call-IDs of the calls that ended (BYE sent and confirmed, or received)."""
        return _ENDED.findall(self._log())
