"""Agents' state history: one row each time an agent's state (or pause reason) changes.

Written by the database itself (triggers on the agents' table, made by this app's first
migration), not by Python: the state is changed in many places (the console, the admin, a
supervisor, pbx's phone events through :func:`contactcenter.people.agents.apply_phone_state`,
pre-alert reservations), several with a bulk ``UPDATE`` that sends no Django signal, and a
trigger cannot be forgotten by the next one. The row's time is the agent's ``state_changed_at``
when the same write moved it, else the database's clock.
"""

from django.db import models


class AgentStateChange(models.Model):
    id = models.BigAutoField(primary_key=True)
    agent_id = models.BigIntegerField(help_text="The agent's id (kept after the agent is deleted).")
    agent = models.CharField(max_length=80, help_text="The agent's name at the time.")
    state = models.CharField(max_length=16)
    reason = models.CharField(max_length=80, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["at"]), models.Index(fields=["agent", "at"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.agent} {self.state} at {self.at:%Y-%m-%d %H:%M:%S}"
