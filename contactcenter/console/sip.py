"""What an agent's browser needs to register its softphone, computed on the server.

Settings (all optional; the defaults suit the local stack):

- ``CONSOLE_SIP_WS_URL`` (env ``CC_CONSOLE_SIP_WS_URL``): Asterisk's SIP-over-WebSocket URL,
  default ``ws://127.0.0.1:<CC_ASTERISK_HTTP_PORT>/ws``. Browsers on other hosts need
  ``wss://`` behind TLS (and an https console: ``getUserMedia`` wants a secure origin).
- ``CONSOLE_SIP_DOMAIN`` (env ``CC_CONSOLE_SIP_DOMAIN``): the SIP domain, default ``127.0.0.1``.
- ``CONSOLE_SIP_SECRET``: the secret web agents' passwords are derived from, default the
  installation's agent SIP secret (``var/secrets.json``), which Django's configuration snapshot
  also derives each agent's digest hash from.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

from django.conf import settings

from contactcenter.people.models import Agent
from contactcenter.people.sip_credentials import sip_password

# The console's browser softphone unless told otherwise (the demo's web agent).
DEFAULT_WEB_AGENT = "webagent1"


@dataclass(frozen=True)
class SipCredentials:
    uri: str
    authorization_user: str
    password: str
    ws_url: str
    domain: str
    display_name: str
    # Where the softphone calls to change its queue membership (cc-agents in extensions.conf).
    pause_uri: str
    unpause_uri: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _default_ws_url() -> str:
    return os.environ.get("CC_CONSOLE_SIP_WS_URL") or f"ws://127.0.0.1:{settings.STACK.ports.asterisk_http}/ws"


def credentials_for(agent: Agent) -> SipCredentials:
    endpoint = agent.name
    domain = getattr(settings, "CONSOLE_SIP_DOMAIN", "") or os.environ.get("CC_CONSOLE_SIP_DOMAIN", "127.0.0.1")
    return SipCredentials(
        uri=f"sip:{endpoint}@{domain}",
        authorization_user=endpoint,
        password=sip_password(agent),
        ws_url=getattr(settings, "CONSOLE_SIP_WS_URL", "") or _default_ws_url(),
        domain=domain,
        display_name=agent.display_name or endpoint,
        pause_uri=f"sip:cc-pause@{domain}",
        unpause_uri=f"sip:cc-unpause@{domain}",
    )
