"""Create (once) a console log-in for a web agent: the user (agent role), its Agent and queue, the link."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from contactcenter.campaigns.models import Disposition
from contactcenter.console.models import AgentProfile
from contactcenter.console.sip import DEFAULT_WEB_AGENT
from contactcenter.people.models import Agent, HumanQueue
from contactcenter.people.roles import Role, set_role

# Offered on the wrap-up form when an installation has defined none yet.
STARTER_DISPOSITIONS = (("resolved", "Resolved", True, 60), ("call_back", "Call back later", False, 120),
                        ("not_interested", "Not interested", True, 60))  # fmt: skip


class Command(BaseCommand):
    help = "Ensure a user who logs in to /console/ as a web agent (default: webagent1 in queue support)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--agent", default=DEFAULT_WEB_AGENT, help="the PJSIP endpoint (webrtc=yes) of the agent")
        parser.add_argument("--user", default="agent", help="the Django user name")
        parser.add_argument("--queue", action="append", help="queue(s) the agent is in (default: support)")

    def handle(self, *args: Any, **options: Any) -> None:
        username, agent_name = options["user"], options["agent"]
        password_file = settings.VAR_DIR / f"console-{username}-password.txt"
        user_model = get_user_model()
        with transaction.atomic():
            agent, _ = Agent.objects.get_or_create(name=agent_name, defaults={"display_name": agent_name})
            for name in options["queue"] or ["support"]:
                agent.queues.add(HumanQueue.objects.get_or_create(name=name)[0])
            user, created = user_model.objects.get_or_create(username=username)
            if created or not password_file.exists():
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save()
                fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(password + "\n")
            set_role(user, Role.AGENT)
            AgentProfile.objects.update_or_create(user=user, defaults={"agent": agent})
            if not Disposition.objects.exists():
                for code, label, final, retry in STARTER_DISPOSITIONS:
                    Disposition.objects.create(code=code, label=label, final=final, retry_after_minutes=retry)
        password = password_file.read_text().strip()
        self.stdout.write(f"console:   {settings.STACK.web_url}/console/  (user {username}, password {password}; "
                          f"phone {agent_name}; kept in {password_file})")  # fmt: skip
