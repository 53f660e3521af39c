"""Campaign types and the flows they run, from pbx's flow catalogue (``pbx.api.flows``).

The catalogue names each flow's languages and lead fields; pbx's library implements them.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from pbx.api import FLOW_CATALOGUE

# A campaign's type is the flow it runs.
CampaignType = models.TextChoices(
    "CampaignType", [(name.name, (name.value, flow.label)) for name, flow in FLOW_CATALOGUE.items()],
)


# Human dial modes: the answered call goes straight to the campaign's queue. pbx runs every
# outbound call through a flow, so this one only says a line and hands over. (A first-class
# "connect on answer" in pbx would save that line; see the README.)
CONNECT_TO_AGENT_FLOW: dict[str, Any] = {
    "name": "connect_to_agent",
    "version": 1,
    "language": "en-IN",
    "greeting": "connect",
    "anywhere": {"opt_out": {"outcome": "opt_out", "say": "Understood. We will not call you again. Goodbye."}},
    "steps": {"connect": {"end": {"escalate": "human_request", "say": "Please hold for a moment."}}},
}

