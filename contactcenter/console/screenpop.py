"""What the agent sees when a call rings: why VoiceWatch escalated, who the customer is, what was said."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError

from contactcenter.console.models import ConsoleCall

log = logging.getLogger(__name__)

# VoiceWatch reason codes as an agent reads them; unknown codes are shown as they are.
REASON_LABELS = {
    "anger": "Customer is angry",
    "legal_threat": "Customer mentioned legal action",
    "dispute_fraud": "Customer disputes the charge (possible fraud)",
    "distress": "Customer is in distress",
    "human_request": "Customer asked for a person",
    "language_mismatch": "Customer speaks another language",
    "repeated_failure": "Bot failed to understand several times",
    "negotiation": "Customer wants to negotiate",
    "high_value_change": "High-value change requested",
    "vip_complaint": "VIP complaint",
    "ambiguity": "Customer's answer was unclear",
    "failsafe": "Handed over by the fail-safe",
    "pbx_down": "AI service stopped; handed over",
    "pbx_restart": "AI service restarted; handed over",
}


def _transcript(call_id: str, limit: int = 8) -> list[dict[str, Any]]:
    """The last utterances of the AI conversation, from the call ledger (if it is there)."""
    if not call_id:
        return []
    from contactcenter.ledger.models import Utterance

    try:
        rows = list(
            Utterance.objects.filter(call_id=call_id, is_partial=False).order_by("-start_ms", "-id")[:limit]
        )  # fmt: skip
    except DatabaseError as exc:  # no ledger tables in this database (yet)
        log.debug("no transcript for %s: %s", call_id, exc)
        return []
    return [{"speaker": u.speaker, "text": u.text, "sentiment": u.sentiment} for u in reversed(rows)]


def screen_pop(call: ConsoleCall) -> dict[str, Any]:
    lead = call.lead
    attempt = call.attempt
    return {
        "id": call.pk,
        "call_id": call.call_id,
        "status": call.status,
        "queue": call.queue,
        "reason": call.reason,
        "reason_label": REASON_LABELS.get(call.reason, call.reason.replace("_", " ") if call.reason else "Escalated"),
        "score": call.score,
        "summary": call.summary,
        "lead": None if lead is None else {
            "id": lead.pk,
            "name": lead.first_name,
            "phone": lead.phone,
            "external_id": lead.external_id,
            "fields": {k: str(v) for k, v in (lead.fields or {}).items()},
            "campaign": lead.campaign.name,
            "attempts": lead.attempts,
        },
        "attempt": None if attempt is None else {"id": attempt.pk, "number": attempt.number},
        "transcript": _transcript(call.call_id),
    }  # fmt: skip
