from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "contactcenter.ledger"
    label = "ledger"
    verbose_name = "Call ledger"
