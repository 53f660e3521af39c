"""``manage.py create_user NAME --role admin|supervisor|agent``: a user with one role."""

from __future__ import annotations

import getpass
import secrets
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contactcenter.people.roles import Role, set_role


class Command(BaseCommand):
    help = ("Create a user with a role. The password comes from --password-file, is generated and printed "
            "once (--generate-password), or is asked for.")  # fmt: skip

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--email", default="")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--password-file", type=Path, help="its first line is the password")
        source.add_argument("--generate-password", action="store_true", help="make one up and print it once")
        parser.add_argument("--agent", help="with --role agent: the agent (people.Agent name) this user works as")

    def handle(self, *args: Any, **options: Any) -> None:
        username, role = options["username"], Role(options["role"])
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} exists; change its role in the admin (its groups)")
        agent = self._agent(options["agent"], role)
        password = self._password(options)
        user = user_model(username=username, email=options["email"])
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            set_role(user, role)
            if agent is not None:
                from contactcenter.console.models import AgentProfile

                AgentProfile.objects.create(agent=agent, user=user)
        self.stdout.write(f"created {username} ({role})" + (f", agent {agent.name}" if agent else ""))
        if options["generate_password"]:
            self.stdout.write(f"password: {password}  (shown once; not stored anywhere in clear)")

    def _agent(self, name: str | None, role: Role) -> Any:
        if name is None:
            return None
        if role != Role.AGENT:
            raise CommandError("--agent is for --role agent")
        from contactcenter.people.models import Agent

        agent = Agent.objects.select_related("profile__user").filter(name=name).first()
        if agent is None:
            raise CommandError(f"no agent named {name!r}")
        if hasattr(agent, "profile"):
            raise CommandError(f"agent {name!r} is already {agent.profile.user}'s")
        return agent

    def _password(self, options: dict[str, Any]) -> str:
        if options["password_file"] is not None:
            try:
                lines = options["password_file"].read_text().splitlines()
            except OSError as exc:
                raise CommandError(f"cannot read the password file: {exc}") from None
            if not lines or not lines[0]:
                raise CommandError("the password file's first line is empty")
            return lines[0]
        if options["generate_password"]:
            return secrets.token_urlsafe(12)
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password: give --password-file or --generate-password")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("the passwords differ")
        return password
