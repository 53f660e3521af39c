"""Celery tasks; each module registers its tasks on ``workers.app.app``."""
