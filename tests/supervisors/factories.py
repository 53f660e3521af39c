"""Supervisor test data: a user of a role with (or without) a supervisor profile, and pause reasons."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from contactcenter.people.models import Agent, HumanQueue, PauseReason
from contactcenter.people.roles import Role, set_role
from contactcenter.supervisors.models import SupervisorProfile

PASSWORD = "supervisor-test-password"


def make_user(name: str, role: Role | None = Role.SUPERVISOR):
    user = get_user_model().objects.create_user(name, password=PASSWORD)
    if role is not None:
        set_role(user, role)
    return user


def make_supervisor(name: str = "sam", role: Role = Role.SUPERVISOR, phone: str | None = "sup-sam",
                    transport: str = "webrtc", queue: str | None = "supervisors"):  # fmt: skip
    """A supervisor (or admin) with a profile: their phone (an agent endpoint) and own queue."""
    user = make_user(name, role)
    if phone is not None:
        endpoint = Agent.objects.create(name=phone, display_name=f"{name}'s phone", transport=transport)
        own_queue = HumanQueue.objects.get_or_create(name=queue)[0] if queue else None
        SupervisorProfile.objects.create(user=user, phone=endpoint, supervisor_queue=own_queue)
    return user


def make_pause_reasons(*labels: str) -> None:
    """The admin's list is exactly these (the defaults a migration seeds are retired)."""
    labels = labels or ("Lunch", "Coaching")
    PauseReason.objects.exclude(label__in=labels).update(active=False)
    for order, label in enumerate(labels):
        PauseReason.objects.update_or_create(label=label, defaults={"order": order, "active": True})
