"""Turn an originate command's flow, policy and lead into what the bot and VoiceWatch take."""

from __future__ import annotations

from typing import Any

from pbx.dialog import Flow, library_flow, load_flow


class CallSetupError(ValueError):
    """The command cannot run as a bot call (unknown flow, bad policy); the call goes to a human."""


def resolve_flow(flow: dict[str, Any] | str, language: str) -> Flow:
    try:
        if isinstance(flow, str):
            return library_flow(flow, language) if language else library_flow(flow)
        return load_flow(flow)
    except (KeyError, ValueError) as exc:
        raise CallSetupError(f"flow: {exc}") from None


# Leads carry the currency as the bot should say it ("rupees"); VoiceWatch wants ISO codes.
_CURRENCY_WORDS = {"rupees": "INR", "rupee": "INR", "rs": "INR", "₹": "INR", "dollars": "USD", "dollar": "USD",
                   "$": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP"}  # fmt: skip


def monitor_context(lead: dict[str, str], campaign: str = "") -> dict[str, Any]:
    """The VoiceWatch call context from the lead's fields (amount, currency, tier, ...)."""
    context: dict[str, Any] = {}
    amount = lead.get("amount") or lead.get("order_value")
    if amount:
        try:
            context["order_value"] = float(str(amount).replace(",", ""))
        except ValueError:
            pass
    currency = _CURRENCY_WORDS.get(lead.get("currency", "").strip().lower(), lead.get("currency", "").strip().upper())
    if len(currency) == 3 and currency.isalpha():
        context["currency"] = currency
    if lead.get("customer_tier"):
        context["customer_tier"] = lead["customer_tier"]
    if lead.get("language"):
        context["language"] = lead["language"]
    if campaign:
        context["campaign"] = campaign
    return context
