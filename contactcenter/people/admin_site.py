"""The admin site: for the admin role (the policy's ADMINISTER), not for every staff user.

Installed in place of ``django.contrib.admin`` (settings.INSTALLED_APPS names
:class:`RoleAdminConfig`), so ``admin.site`` everywhere is a :class:`RoleAdminSite`.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

from contactcenter.people.policy import Action, may


class RoleAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and may(request.user, Action.ADMINISTER)


class RoleAdminConfig(AdminConfig):
    default_site = "contactcenter.people.admin_site.RoleAdminSite"
