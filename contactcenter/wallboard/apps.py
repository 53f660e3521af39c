from django.apps import AppConfig


class WallboardConfig(AppConfig):
    name = "contactcenter.wallboard"
    label = "wallboard"
    verbose_name = "Wallboard"
