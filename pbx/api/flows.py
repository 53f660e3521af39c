"""The flow catalogue: which bot flows pbx runs, in which languages, and the lead fields they need.

A campaign names a flow from here; pbx's library (``pbx/dialog/library.py``) implements each
one (tests/dialog check the library against this catalogue).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FlowName(StrEnum):
    ORDER_CONFIRMATION = "order_confirmation"
    PAYMENT_REMINDER = "payment_reminder"
    ADDRESS_VERIFICATION = "address_verification"


@dataclass(frozen=True)
class CatalogueFlow:
    label: str
    languages: tuple[str, ...]
    lead_fields: tuple[str, ...]  # what its prompts use, in every language


FLOW_CATALOGUE: dict[FlowName, CatalogueFlow] = {
    FlowName.ORDER_CONFIRMATION: CatalogueFlow(
        "Order confirmation", ("en-IN", "hi-Latn"), ("amount", "currency", "first_name", "item", "order_id")),
    FlowName.PAYMENT_REMINDER: CatalogueFlow(
        "Payment reminder", ("en-IN",), ("amount", "currency", "due_date", "first_name")),
    FlowName.ADDRESS_VERIFICATION: CatalogueFlow(
        "Address verification", ("en-IN",), ("address", "first_name", "order_id", "pincode")),
}  # fmt: skip

# Filled in when a lead does not give them.
FIELD_DEFAULTS: dict[str, str] = {"currency": "rupees"}


def required_fields(flow: str) -> tuple[str, ...]:
    """The lead fields a campaign of this flow must supply (unknown flow: none)."""
    entry = FLOW_CATALOGUE.get(flow)  # type: ignore[call-overload]
    return tuple(f for f in entry.lead_fields if f not in FIELD_DEFAULTS) if entry else ()
