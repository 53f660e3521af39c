"""Create (once) the demo's queue and agents in Django, before ``stack up`` renders them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from ops.demo.people import DEMO_AGENTS, ensure_demo_people


class Command(BaseCommand):
    help = "Ensure the demo's queue 'support' with agent1/agent2 (simulated softphones) and webagent1 (browser)."

    def handle(self, *args: Any, **options: Any) -> None:
        port = settings.STACK.ports.sim_agent
        queue = ensure_demo_people(port)
        self.stdout.write(f"people:    queue {queue.name} ({queue.strategy}); agents webagent1 (browser), "
                          f"{', '.join(DEMO_AGENTS)} (simulated softphones on ports {port}, {port + 1})")  # fmt: skip
