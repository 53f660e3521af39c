from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_failsafe_queue(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The fail-safe queue exists after every migrate (and every flush, which ends with one): pbx
    needs it, it cannot be deleted, and CC_FAILSAFE_QUEUE may name a new one."""
    from django.conf import settings

    from contactcenter.people.models import HumanQueue

    HumanQueue.objects.using(using).get_or_create(name=settings.CC_FAILSAFE_QUEUE)


class PeopleConfig(AppConfig):
    name = "contactcenter.people"
    label = "people"
    verbose_name = "People: agents, queues and the do-not-call list"

    def ready(self) -> None:
        post_migrate.connect(_ensure_failsafe_queue, sender=self, dispatch_uid="people-failsafe-queue")
