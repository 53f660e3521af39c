from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "contactcenter.telephony"
    label = "telephony"
    verbose_name = "Telephony: trunks, inbound numbers, business hours"

    def ready(self) -> None:
        from contactcenter.telephony import signals

        signals.connect()
