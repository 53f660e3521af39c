"""The agent console's own data: which user is which agent, and each call offered to an agent.

Agent state itself stays on :class:`contactcenter.people.models.Agent` (the dialer reads it);
the console writes it through :mod:`contactcenter.console.services` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from contactcenter.campaigns.models import CallAttempt, Disposition, Lead
from contactcenter.people.models import Agent


class AgentProfile(models.Model):
    """A Django user who works as an agent: logging in to the console is logging in as ``agent``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile")
    agent = models.OneToOneField(Agent, on_delete=models.CASCADE, related_name="profile",
                                 help_text="Its name is the agent's PJSIP endpoint (a webrtc=yes one).")  # fmt: skip

    def __str__(self) -> str:
        return f"{self.user} as {self.agent.name}"


class CallStatus(models.TextChoices):
    RINGING = "ringing"
    ANSWERED = "answered"
    MISSED = "missed"  # rang, the agent did not answer (or the caller left first)
    ENDED = "ended"  # answered, then hung up: waiting for a disposition
    DISPOSED = "disposed"


class ConsoleCall(models.Model):
    """One call offered to an agent's browser softphone, from ringing to its disposition.

    ``call_id`` is pbx's call id as the browser reported it (the INVITE's ``X-CC-Call-Id``);
    ``confirmed_at`` says when Django confirmed the call was this agent's
    (:mod:`contactcenter.console.offers`), and only then are ``attempt`` and ``lead`` attached.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="console_calls")
    call_id = models.CharField(max_length=64, blank=True, db_index=True)
    sip_call_id = models.CharField(max_length=200, help_text="The SIP Call-ID of the agent leg.")
    queue = models.CharField(max_length=80, blank=True)
    caller = models.CharField(max_length=80, blank=True,
                              help_text="Who the INVITE said is calling (its From), shown without a lead.")
    reason = models.CharField(max_length=64, blank=True)
    score = models.FloatField(null=True, blank=True)
    summary = models.TextField(blank=True)
    attempt = models.ForeignKey(CallAttempt, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="console_calls")  # fmt: skip
    lead = models.ForeignKey(Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="console_calls")
    confirmed_at = models.DateTimeField(null=True, blank=True,
                                        help_text="When the call was confirmed as offered to this agent.")  # fmt: skip
    status = models.CharField(max_length=16, choices=CallStatus.choices, default=CallStatus.RINGING)
    offered_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_cause = models.CharField(max_length=64, blank=True)
    wrap_up_until = models.DateTimeField(
        null=True, blank=True,
        help_text="End of the wrap-up after this call (its queue's wrap_up_s); empty: until the disposition.")
    disposition = models.ForeignKey(Disposition, on_delete=models.PROTECT, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [
            # The browser may report the same INVITE twice (a reload, a retried request).
            models.UniqueConstraint(fields=["agent", "sip_call_id"], name="console_call_once_per_invite"),
        ]

    def __str__(self) -> str:
        return f"{self.agent.name} {self.call_id or self.sip_call_id} ({self.status})"
