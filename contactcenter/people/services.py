"""Writes about people: one transaction each (see ``contactcenter.campaigns.services``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from contactcenter.campaigns import compliance
from contactcenter.people.models import DncSource, DoNotCall

if TYPE_CHECKING:
    from contactcenter.campaigns.models import Campaign


def do_add_dnc(phone: str, source: str = DncSource.ADMIN, reason: str = "", campaign: Campaign | None = None,
               call_id: str = "") -> tuple[DoNotCall, bool]:  # fmt: skip
    """Put a number on the do-not-call list for every campaign. Returns (entry, created).

    Leads with that number are not touched here: the dialer checks the list at dial time,
    inside the transaction that records the attempt, and finishes them as ``do_not_call``.
    """
    phone = compliance.normalise_phone(phone)
    with transaction.atomic():
        entry, created = DoNotCall.objects.get_or_create(
            phone=phone, defaults={"source": source, "reason": reason[:200], "campaign": campaign, "call_id": call_id}
        )  # fmt: skip
    return entry, created
