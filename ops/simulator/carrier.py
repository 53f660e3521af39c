"""A simulated carrier: sipp places one call over Asterisk's trunk to a DID, as a caller would.

Asterisk identifies the trunk by its address (``[trunk-identify]``, 127.0.0.1 in tests), so
the INVITE lands in ``[from-trunk]`` and pbx routes it by the DID. The caller sends no audio;
it can press one key (SIP INFO, which ``res_pjsip_dtmf_info`` turns into DTMF) after a delay.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from ops.simulator.sipp import SippProcess
from ops.stack.processes import free_port

_DTMF = """
  <pause milliseconds="{after_ms}"/>

  <send retrans="500">
    <![CDATA[

      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:CALLER@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 INFO
      Contact: <sip:CALLER@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal={digit}
      Duration=250

    ]]>
  </send>

  <recv response="200"/>

  <nop>
    <action>
      <log message="PRESSED {digit} [call_id]"/>
    </action>
  </nop>
"""


class SippCarrier(SippProcess):
    def __init__(self, asterisk_sip_port: int, did: str, caller: str, work_dir: Path, hold_ms: int = 30000,
                 dtmf: tuple[str, int] | None = None, name: str = "carrier") -> None:  # fmt: skip
        """``dtmf``: (key, milliseconds after the answer) to press it."""
        if not re.fullmatch(r"\+?[0-9]{3,15}", caller) or not re.fullmatch(r"[0-9]{3,15}", did):
            raise ValueError("a caller and a DID are numbers")
        work_dir.mkdir(parents=True, exist_ok=True)
        steps = _DTMF.format(after_ms=int(dtmf[1]), digit=dtmf[0]) if dtmf is not None else ""
        template = resources.files("ops.simulator").joinpath("carrier_uac.xml").read_text()
        scenario = work_dir / f"{name}_uac.xml"
        scenario.write_text(template.replace("DTMF_STEPS", steps).replace("HOLD_MS", str(int(hold_ms)))
                            .replace("CALLER", caller))  # fmt: skip
        super().__init__(name, scenario, free_port(udp=True), work_dir,
                         options=(f"127.0.0.1:{asterisk_sip_port}", "-s", did, "-m", "1"))  # fmt: skip

    def log_has(self, word: str) -> bool:
        """Whether the scenario logged ``word`` (ANSWERED, PRESSED, HUNG_UP_BY_ASTERISK, ENDED)."""
        return re.search(rf"^{word}\b", self.messages(), re.MULTILINE) is not None
