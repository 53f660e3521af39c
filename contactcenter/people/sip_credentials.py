"""An agent's SIP password: derived from the installation's agent secret, never stored.

The console hands it to the agent's browser, the credentials API to whoever sets up their
desk phone, and the configuration snapshot sends pbx only its md5 digest hash.
"""

from __future__ import annotations

from django.conf import settings

from contactcenter.people.models import Agent
from pbx.api.telephony import agent_sip_password


def agent_secret() -> str:
    """``settings.CONSOLE_SIP_SECRET`` if set, else the installation's (``var/secrets.json``)."""
    configured = getattr(settings, "CONSOLE_SIP_SECRET", "")
    if configured:
        return configured
    from contactcenter.site.secrets import ensure_secrets

    return ensure_secrets(settings.STACK.secrets_file).agent_sip_password


def sip_password(agent: Agent, secret: str | None = None) -> str:
    """The agent's own: its name, password generation and salt (``Agent.sip_password_salt``)."""
    return agent_sip_password(secret or agent_secret(), agent.name, agent.sip_password_generation,
                              salt=agent.sip_password_salt)  # fmt: skip
