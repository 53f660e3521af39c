"""A name of the PBX that the console and the demo share.

The agents, queues and trunks themselves are Django's (``pbx.api.Telephony`` carries them).
"""

from __future__ import annotations

# The agent console's browser softphone in the demo (webrtc) and the console's default.
DEFAULT_WEB_AGENT = "webagent1"
