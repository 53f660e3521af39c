from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "contactcenter.people"
    label = "people"
    verbose_name = "People: agents, queues and the do-not-call list"
