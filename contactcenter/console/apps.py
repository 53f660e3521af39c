from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "contactcenter.console"
    label = "console"
    verbose_name = "Agent console"
