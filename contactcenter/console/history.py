"""Today's calls on an agent's console: what the history panel and ``GET /console/api/history`` show."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from contactcenter.console.models import ConsoleCall
from contactcenter.console.screenpop import reason_label
from contactcenter.people.models import Agent

# A day's calls for one agent are a few hundred at most; the panel shows the newest.
LIMIT = 200


def local_midnight(now: dt.datetime | None = None) -> dt.datetime:
    """The start of today in the site's time zone (``TIME_ZONE``)."""
    local = (now or timezone.now()).astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    return round((end - start).total_seconds()) if start and end else None


def row(call: ConsoleCall) -> dict[str, Any]:
    lead = call.lead
    return {
        "id": call.pk, "at": call.offered_at.timestamp(), "status": call.status,
        # The lead's number once the call is confirmed as this agent's, else what the INVITE showed.
        "number": lead.phone if lead else call.caller, "customer": lead.first_name if lead else "",
        "queue": call.queue, "reason": call.reason,
        "reason_label": reason_label(call.reason) if call.reason else "",
        "talk_s": _seconds(call.answered_at, call.ended_at),
        "disposition": call.disposition.label if call.disposition else "",
        "disposition_code": call.disposition.code if call.disposition else "", "note": call.note,
    }  # fmt: skip


def today(agent: Agent, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """This agent's calls offered since local midnight, newest first."""
    calls = (ConsoleCall.objects.filter(agent=agent, offered_at__gte=local_midnight(now))
             .select_related("lead", "disposition").order_by("-offered_at", "-id")[:LIMIT])  # fmt: skip
    return [row(call) for call in calls]
