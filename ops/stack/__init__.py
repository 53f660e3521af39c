"""The stack's processes (Redis, Asterisk, web, Celery, pbx, dialer): started, checked, stopped."""
