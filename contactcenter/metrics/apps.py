from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "contactcenter.metrics"
    label = "metrics"
    verbose_name = "Metrics"
