"""Names of the PBX that the console and the demo share.

The agents, queues and trunks themselves are Django's (``pbx.api.Telephony`` carries them).
"""

from __future__ import annotations

from pbx.api import agent_sip_password

# The agent console's browser softphone in the demo (webrtc) and the console's default.
DEFAULT_WEB_AGENT = "webagent1"


def webrtc_password(secret: str, agent_name: str) -> str:
    """An agent's first SIP password (generation 0); see ``pbx.api.agent_sip_password``."""
    return agent_sip_password(secret, agent_name, 0)
