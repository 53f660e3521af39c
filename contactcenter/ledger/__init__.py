"""Read-only window on the call ledger that pbx writes (tables owned by Alembic)."""
