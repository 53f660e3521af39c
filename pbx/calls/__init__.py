"""Live calls: originate, media legs, escalation into human queues, reconciliation."""
