"""An agent's phone dials only what the dial policy allows: the console's feature codes, not the trunk.

sipp sends INVITEs as agent2 (authenticated with its password) to the test Asterisk, whose
trunk does not let agents dial out: an outside number is not found (404) and nothing reaches the
trunk's address, while cc-pause / cc-unpause still pause and unpause the agent in its queue.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from ops.stack.asterisk import AsteriskInstance
from ops.stack.processes import free_port
from tests.conftest import password_of

pytestmark = pytest.mark.realstack

AGENT = "agent2"  # in the test topology's "sales" queue, never registered
FINALS = ("403", "404", "408", "480", "486", "500", "503", "603")


def _scenario(agent: str, pause_reason: str) -> str:
    """An INVITE from ``agent`` to [service], answering the digest challenge; logs the final status."""
    finals = "\n".join(
        f'  <recv response="{code}" optional="true" next="final">'
        f'<action><log message="FINAL {code}"/></action></recv>'
        for code in FINALS
    )
    invite = """
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{agent}@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: {cseq} INVITE
      Contact: <sip:{agent}@[local_ip]:[local_port]>
      Max-Forwards: 70
      X-CC-Pause-Reason: {reason}{auth}
      Content-Length: 0
"""

    def ack(cseq: int) -> str:
        return f"""<send><![CDATA[

      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: {cseq} ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]></send>"""

    first = invite.format(agent=agent, cseq=1, reason=pause_reason, auth="")
    second = invite.format(agent=agent, cseq=2, reason=pause_reason, auth="\n      [authentication]")
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="an agent's phone dials">
  <send retrans="500"><![CDATA[
{first}
    ]]></send>
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  {ack(1)}
  <send retrans="500"><![CDATA[
{second}
    ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
{finals}
  <recv response="200"><action><log message="FINAL 200"/></action></recv>
  <label id="final"/>
  {ack(2)}
</scenario>
"""


def agent_dials(asterisk: AsteriskInstance, work: Path, extension: str, pause_reason: str = "console") -> str:
    """The final SIP status Asterisk answers ``AGENT``'s INVITE to ``extension`` with."""
    sipp = shutil.which("sipp")
    if sipp is None:
        pytest.fail("sipp is not installed (Debian package sip-tester); run `make setup`")
    work.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"\W", "_", extension)
    scenario = work / f"{name}.xml"
    scenario.write_text(_scenario(AGENT, pause_reason))
    log = work / f"{name}.log"
    subprocess.run(
        [sipp, f"127.0.0.1:{asterisk.settings.sip_port}", "-sf", str(scenario), "-s", extension, "-m", "1",
         "-i", "127.0.0.1", "-p", str(free_port(udp=True)), "-au", AGENT, "-ap", password_of(AGENT), "-nostdin",
         "-timeout", "20", "-trace_logs", "-log_file", str(log), "-trace_err", "-error_file", str(work / f"{name}.err")],
        capture_output=True, timeout=30, cwd=work,
    )  # fmt: skip
    finals = re.findall(r"FINAL (\d{3})", log.read_text(errors="replace")) if log.exists() else []
    errors = (work / f"{name}.err").read_text(errors="replace")[-1500:] if (work / f"{name}.err").exists() else ""
    assert len(finals) == 1, f"no final answer to {extension}: {errors}"
    return finals[0]


def _paused(asterisk: AsteriskInstance) -> bool:
    line = next(line for line in asterisk.cli("queue show sales").splitlines() if f"PJSIP/{AGENT}" in line)
    return "paused" in line.lower()


def _eventually(check, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_an_agent_phone_cannot_dial_out_through_the_trunk(asterisk_server: AsteriskInstance, trunk_port: int,
                                                          tmp_path: Path) -> None:  # fmt: skip
    # Listen where the trunk points: an INVITE for the number would arrive here.
    trunk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    trunk.bind(("127.0.0.1", trunk_port))
    trunk.settimeout(1.0)
    try:
        for number in ("919800000001", "+919800000001", "00919800000001"):
            assert agent_dials(asterisk_server, tmp_path, number) == "404", number
        try:
            packet = trunk.recv(65535)
        except TimeoutError:
            packet = b""
        assert packet == b"", packet[:300]
    finally:
        trunk.close()


def test_an_agent_phone_still_pauses_and_unpauses_with_any_reason(asterisk_server: AsteriskInstance,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    assert not _paused(asterisk_server)
    try:
        # A reason with what would split or evaluate in a dialplan line (sipp cannot send a '['):
        # the pause happens, and what is left of the reason is letters, digits and '_' only.
        reason = 'lunch"${CC_CALL_ID},x):y|z;w'
        assert agent_dials(asterisk_server, tmp_path, "cc-pause", pause_reason=reason) == "603"
        assert _eventually(lambda: _paused(asterisk_server))
        line = next(line for line in asterisk_server.cli("queue show sales").splitlines() if f"PJSIP/{AGENT}" in line)
        kept = re.search(r"paused:([^ )]*)", line)
        assert kept and kept.group(1).startswith("lunch") and re.fullmatch(r"\w+", kept.group(1)), line
        # "reserved" is pbx's pre-alert hold: a phone asking for it gets a plain pause.
        assert agent_dials(asterisk_server, tmp_path, "cc-pause", pause_reason="reserved") == "603"
        line = next(line for line in asterisk_server.cli("queue show sales").splitlines() if f"PJSIP/{AGENT}" in line)
        assert "paused:paused" in line, line
    finally:
        assert agent_dials(asterisk_server, tmp_path, "cc-unpause") == "603"
    assert _eventually(lambda: not _paused(asterisk_server))
