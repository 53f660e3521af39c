"""``manage.py metrics_token``: the bearer token Prometheus sends to ``/metrics``
(``authorization: credentials_file``); ``--asterisk``: the password of Asterisk's own
``/metrics`` (user ``prometheus``, ``basic_auth: password_file``). Both are generated once per
installation in ``var/secrets.json``; write them to the files Prometheus reads, readable by it only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from contactcenter.site.secrets import ensure_secrets


class Command(BaseCommand):
    help = "Print the token Prometheus sends to /metrics (--asterisk: the password of Asterisk's /metrics)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--asterisk", action="store_true", help="the password of Asterisk's own /metrics")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["asterisk"]:
            self.stdout.write(ensure_secrets(settings.STACK.secrets_file).asterisk_metrics_password)
        else:
            self.stdout.write(settings.CC_METRICS_TOKEN)
