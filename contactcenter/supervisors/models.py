"""A supervisor's own phone (an agent endpoint they listen on) and their own queue (where a call
they take over goes when it is not to their phone)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from contactcenter.people.models import Agent, HumanQueue
from contactcenter.people.policy import Action, may


class SupervisorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_profile"
    )
    phone = models.OneToOneField(
        Agent, on_delete=models.PROTECT, related_name="supervisor_profile",
        help_text="The agent endpoint the supervisor listens on: webrtc for the supervisor page's own "
                  "softphone, udp/tcp for a desk phone. Keep it out of every queue.",
    )  # fmt: skip
    supervisor_queue = models.ForeignKey(
        HumanQueue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Where an AI call this supervisor takes over goes when they choose \"to my queue\".",
    )  # fmt: skip

    def __str__(self) -> str:
        return f"{self.user} listens on {self.phone.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.user_id is not None and not may(self.user, Action.SUPERVISE):
            errors["user"] = "give this user the supervisor (or admin) role first"
        if self.phone_id is not None:
            if getattr(self.phone, "profile", None) is not None:
                errors["phone"] = f"{self.phone.name} is {self.phone.profile.user}'s console phone"
            elif self.phone.queues.exists() or self.phone.skills.filter(skill__queues__isnull=False).exists():
                # A queue would ring the supervisor's phone with customers' calls.
                errors["phone"] = (
                    f"{self.phone.name} answers a queue (a member, or by a skill): take it out first"
                )
        if errors:
            raise ValidationError(errors)
