"""Webhook delivery without Django: the rules a webhook's address must pass (:mod:`.guard`), the
one POST to the address that was checked (:mod:`.post`), and the typed request and result the
management plane and the Celery task (``workers.tasks.webhooks``) exchange (:mod:`.messages`)."""
