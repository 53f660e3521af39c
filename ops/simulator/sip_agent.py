"""A simulated agent softphone: sipp answering queue calls on a fixed address.

Point an agent endpoint's ``static_contact`` at ``contact`` and the queue rings this process.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

from ops.simulator.sipp import SippProcess

_ANSWERED = re.compile(r"ANSWERED reason=(\S*) call=(\S*)")
_SUMMARY = re.compile(r"SUMMARY call=(\S*) summary=(\S*)")
_AUTO_ANSWERED = re.compile(r"ANSWER_AFTER call=(\S*) auto=(\S+)")


class SippAgent(SippProcess):
    def __init__(self, name: str, port: int, work_dir: Path, calls: int = 1000) -> None:
        self.name = name
        self.port = port
        self.work_dir = work_dir
        scenario = Path(str(resources.files("ops.simulator").joinpath("agent_uas.xml")))
        super().__init__(name, scenario, port, work_dir, options=("-m", str(calls)))

    @property
    def contact(self) -> str:
        return f"sip:{self.name}@127.0.0.1:{self.port}"

    def answered(self) -> list[tuple[str, str]]:
        """(reason, call id) of every call this agent answered, from the X-CC-* headers it got."""
        return _ANSWERED.findall(self.messages())

    def auto_answered(self) -> list[str]:
        """Call ids of the calls whose INVITE told this phone to answer by itself (it did, at once)."""
        return [call_id for call_id, _ in _AUTO_ANSWERED.findall(self.messages())]

    def summaries(self) -> dict[str, str]:
        """Call id -> the summary its INVITE carried (X-CC-Summary), decoded as the console decodes it."""
        return {call_id: unquote(summary) for call_id, summary in _SUMMARY.findall(self.messages())}
