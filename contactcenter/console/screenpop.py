"""What the agent sees when a call rings: why VoiceWatch escalated, who the customer is, what was said."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError

from contactcenter.campaigns.models import Lead
from contactcenter.console.models import ConsoleCall
from pbx.api import EscalationReason

log = logging.getLogger(__name__)

# Every escalation reason (pbx.api's vocabulary: VoiceWatch's and pbx's) as an agent reads it.
R = EscalationReason
REASON_LABELS: dict[str, str] = {
    R.ANGER: "Customer is angry",
    R.LEGAL_THREAT: "Customer mentioned legal action",
    R.DISPUTE_FRAUD: "Customer disputes the charge (possible fraud)",
    R.DISTRESS: "Customer is in distress",
    R.HUMAN_REQUEST: "Customer asked for a person",
    R.LANGUAGE_MISMATCH: "Customer speaks another language",
    R.REPEATED_FAILURE: "Bot failed to understand several times",
    R.NEGOTIATION: "Customer wants to negotiate",
    R.HIGH_VALUE_CHANGE: "High-value change requested",
    R.VIP_COMPLAINT: "VIP complaint",
    R.AMBIGUITY: "Customer's answer was unclear",
    R.MONITOR_BLIND: "The AI could not hear the customer",
    R.SUPERVISOR: "Transferred by a supervisor",
    R.SUPERVISOR_TAKEOVER: "A supervisor took the call over",
    R.BOT_SETUP_FAILED: "The AI could not start on this call",
    R.BOT_FAILURE: "The AI failed on this call",
    R.MEDIA_FAILURE: "The AI could not connect to the call",
    R.MEDIA_UNAVAILABLE: "The AI could not speak (speech synthesis or disk failure)",
    R.ORPHAN: "AI service lost track of the call; handed over",
    R.FAILSAFE: "Handed over by the fail-safe",
    R.PBX_DOWN: "AI service stopped; handed over",
    R.PBX_RESTART: "AI service restarted; handed over",
    R.INBOUND_QUEUE: "Inbound call for this queue",
}  # type: ignore[attr-defined]


def transcript(call_id: str, limit: int = 8) -> list[dict[str, Any]]:
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
    return [{"id": u.utterance_id, "speaker": u.speaker, "text": u.text, "sentiment": u.sentiment}
            for u in reversed(rows)]  # fmt: skip


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " ") if reason else "Escalated")


def lead_card(lead: Lead | None) -> dict[str, Any] | None:
    """The customer as the agent sees them (their campaign's lead)."""
    return None if lead is None else {
        "id": lead.pk,
        "name": lead.first_name,
        "phone": lead.phone,
        "external_id": lead.external_id,
        "fields": {k: str(v) for k, v in (lead.fields or {}).items()},
        "campaign": lead.campaign.name,
        "attempts": lead.attempts,
    }  # fmt: skip


def screen_pop(call: ConsoleCall) -> dict[str, Any]:
    attempt = call.attempt
    return {
        "id": call.pk,
        "call_id": call.call_id,
        "status": call.status,
        "queue": call.queue,
        "reason": call.reason,
        "reason_label": reason_label(call.reason),
        "score": call.score,
        "summary": call.summary,
        "lead": lead_card(call.lead),
        "attempt": None if attempt is None else {"id": attempt.pk, "number": attempt.number},
        # Only a call confirmed as this agent's: the browser's call id alone opens no transcript.
        "transcript": transcript(call.call_id) if call.confirmed_at else [],
    }  # fmt: skip
