"""Campaign types, the bot flow each runs, and the lead fields its prompts need.

The flows themselves live in pbx's library (``pbx/dialog/library.py``); the management plane
does not import pbx internals, so the names and fields are listed here and a test keeps them
equal to the library's (tests/campaigns/test_flows.py).
"""

from __future__ import annotations

from typing import Any

from django.db import models


class CampaignType(models.TextChoices):
    ORDER_CONFIRMATION = "order_confirmation", "Order confirmation"
    PAYMENT_REMINDER = "payment_reminder", "Payment reminder"
    ADDRESS_VERIFICATION = "address_verification", "Address verification"


# flow name -> languages it exists in
LIBRARY_FLOWS: dict[str, tuple[str, ...]] = {
    "order_confirmation": ("en-IN", "hi-Latn"),
    "payment_reminder": ("en-IN",),
    "address_verification": ("en-IN",),
}

# flow name -> lead fields its prompts use (all languages)
FLOW_LEAD_FIELDS: dict[str, tuple[str, ...]] = {
    "order_confirmation": ("amount", "currency", "first_name", "item", "order_id"),
    "payment_reminder": ("amount", "currency", "due_date", "first_name"),
    "address_verification": ("address", "first_name", "order_id", "pincode"),
}

# Filled in when a lead does not give them.
FIELD_DEFAULTS: dict[str, str] = {"currency": "rupees"}

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


def required_fields(flow: str) -> tuple[str, ...]:
    return tuple(f for f in FLOW_LEAD_FIELDS.get(flow, ()) if f not in FIELD_DEFAULTS)
