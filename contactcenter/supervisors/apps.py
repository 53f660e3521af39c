from django.apps import AppConfig


class SupervisorsConfig(AppConfig):
    name = "contactcenter.supervisors"
    label = "supervisors"
    verbose_name = "Supervisors"
