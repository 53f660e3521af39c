"""Create (once) the admin account for looking around the demo; its password stays in var/."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from contactcenter.people.roles import Role, set_role


class Command(BaseCommand):
    help = "Ensure the demo admin user exists and print how to log in."

    def handle(self, *args: Any, **options: Any) -> None:
        password_file = settings.VAR_DIR / "admin-password.txt"
        user_model = get_user_model()
        if not password_file.exists() or not user_model.objects.filter(username="admin").exists():
            password = secrets.token_urlsafe(12)
            user, _ = user_model.objects.get_or_create(username="admin", defaults={"email": "admin@localhost"})
            user.set_password(password)
            user.save()
            fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(password + "\n")
        set_role(user_model.objects.get(username="admin"), Role.ADMIN)  # every run: an older database's admin too
        password = password_file.read_text().strip()
        web = settings.STACK.web_url
        self.stdout.write(f"admin:     {web}/admin/  (user admin, password {password}; kept in {password_file})")
