"""Per-lead results, as CSV (export) and as dicts (API, webhooks)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from contactcenter.campaigns.csv_export import csv_text
from contactcenter.campaigns.models import Campaign, Lead
from contactcenter.campaigns.webhooks import lead_result

COLUMNS = ("lead_id", "external_id", "phone", "first_name", "status", "outcome", "detail", "disposition",
           "attempts", "escalated", "escalation_reason", "agent", "last_call_id", "completed_at")  # fmt: skip


def result_leads(campaign: Campaign) -> QuerySet[Lead]:
    return (Lead.objects.filter(campaign=campaign).select_related("disposition", "campaign")
            .prefetch_related("call_attempts").order_by("id"))  # fmt: skip


def lead_results(leads: Iterable[Lead]) -> list[dict]:
    return [lead_result(lead) for lead in leads]


def results(campaign: Campaign) -> Iterator[dict]:
    for lead in result_leads(campaign).iterator(chunk_size=500):
        yield lead_result(lead)


def results_csv(campaign: Campaign) -> str:
    """One row per lead; the lead's own fields (order_id, amount, …) follow the fixed columns;
    cells a spreadsheet would run as a formula are neutralised (``csv_export``)."""
    rows = list(results(campaign))
    extra: list[str] = []
    for row in rows:
        extra += [k for k in row["fields"] if k not in extra]
    return csv_text([*COLUMNS, *extra],
                    ([*(row[c] for c in COLUMNS), *(row["fields"].get(k, "") for k in extra)] for row in rows))
