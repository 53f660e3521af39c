"""The demo's contact center, made through Django's models like any site's: one queue, two
simulated softphones and the browser console's agent. The stack renders them from there."""

from __future__ import annotations

from django.db import transaction

from contactcenter.console.sip import DEFAULT_WEB_AGENT
from contactcenter.people.models import Agent, HumanQueue, QueueMembership

DEMO_QUEUE = "support"
DEMO_AGENTS = ("agent1", "agent2")  # simulated softphones (ops.simulator) on the sim-agent ports


@transaction.atomic
def ensure_demo_people(sim_agent_port: int) -> HumanQueue:
    """Idempotent. ``sim_agent_port``: where agent1 answers (agent2 on the next port)."""
    queue, _ = HumanQueue.objects.get_or_create(name=DEMO_QUEUE, defaults={"description": "Demo escalations"})
    # Round robin in the listed order, starting with the browser agent: the demo's first
    # escalation rings the console, so whoever watches it sees one arrive; the rest take turns.
    HumanQueue.objects.filter(pk=queue.pk).update(strategy="rrordered", max_wait_s=60)
    phones = [(DEFAULT_WEB_AGENT, "webrtc", "")] + [
        (name, "udp", f"sip:{name}@127.0.0.1:{sim_agent_port + i}") for i, name in enumerate(DEMO_AGENTS)
    ]
    for name, transport, contact in phones:
        agent, _ = Agent.objects.update_or_create(
            name=name, defaults={"display_name": name.title(), "transport": transport, "static_contact": contact})
        QueueMembership.objects.get_or_create(agent=agent, queue=queue)
    queue.refresh_from_db()
    return queue
