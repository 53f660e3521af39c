from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "contactcenter.reports"
    label = "reports"
    verbose_name = "Reports"
