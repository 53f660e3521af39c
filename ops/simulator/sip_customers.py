"""Simulated customers for load: one sipp process that answers every call it is sent.

Point Asterisk's trunk at ``port`` (``AsteriskSettings.trunk_port``) and every
``PJSIP/<number>@trunk`` call is answered at once, held ``hold_ms`` and hung up by the
customer (or, if Asterisk hangs up first, its BYE is answered). Answers and ends are counted
from sipp's message log, so the caller can check every call really reached a customer.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from ops.simulator.sipp import SippProcess

_ANSWERED = re.compile(r"^ANSWERED (\S+)", re.MULTILINE)
_ENDED = re.compile(r"^ENDED (\S+)", re.MULTILINE)


class SippCustomers(SippProcess):
    def __init__(self, port: int, work_dir: Path, hold_ms: int = 3000, name: str = "customers") -> None:
        self.port = port
        self.hold_ms = hold_ms
        work_dir.mkdir(parents=True, exist_ok=True)
        template = resources.files("ops.simulator").joinpath("customer_uas.xml").read_text()
        scenario = work_dir / f"{name}_uas.xml"
        scenario.write_text(template.replace("HOLD_MS", str(int(hold_ms))))
        # Many calls at once: no per-call limit, answers as fast as INVITEs arrive.
        super().__init__(name, scenario, port, work_dir, options=("-l", "100000", "-max_recv_loops", "100000"))

    def answered(self) -> list[str]:
        """SIP Call-IDs of the calls answered so far (the ACK of our 200 OK arrived)."""
        return _ANSWERED.findall(self.messages())

    def ended(self) -> list[str]:
        """SIP Call-IDs of the calls that ended (BYE sent and confirmed, or received)."""
        return _ENDED.findall(self.messages())
