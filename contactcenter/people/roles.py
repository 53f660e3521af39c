"""The three roles a user of the contact center has, kept as Django groups of the same names.

A user has one role or none. Superusers are admins whatever their groups say (the first
user, made with ``createsuperuser``, must be able to set everything up). What each role may
do is :mod:`contactcenter.people.policy`'s business, not this module's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import transaction


class Role(StrEnum):
    ADMIN = "admin"  # configuration: campaigns, leads, queues, agents, do-not-call, users
    SUPERVISOR = "supervisor"  # the floor: wallboard, reports, campaign start/pause; reads configuration
    AGENT = "agent"  # their own console and the calls offered to them


# A user put in several role groups by hand gets the widest.
_WIDEST_FIRST = (Role.ADMIN, Role.SUPERVISOR, Role.AGENT)


def role_of(user: Any) -> Role | None:
    """The user's role; None for anonymous, inactive or role-less users."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    names = set(user.groups.filter(name__in=[r.value for r in Role]).values_list("name", flat=True))
    return next((role for role in _WIDEST_FIRST if role.value in names), None)


def set_role(user: Any, role: Role) -> None:
    """Give the user this role and no other. Admins are superusers and staff (the admin site
    needs both); the other roles are neither, so a changed role takes the admin away."""
    from django.contrib.auth.models import Group

    with transaction.atomic():
        groups = {r: Group.objects.get_or_create(name=r.value)[0] for r in Role}
        user.groups.remove(*(group for r, group in groups.items() if r != role))
        user.groups.add(groups[role])
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.save(update_fields=["is_staff", "is_superuser"])
