"""``manage.py pbx_config [--print] [--publish]``: the PBX's configuration snapshot, as pbx gets it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from contactcenter.telephony.publisher import publish_pbx_config
from contactcenter.telephony.snapshot import build_pbx_config


class Command(BaseCommand):
    help = "Print the PBX configuration snapshot (JSON) and/or publish it to pbx through Redis."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--print", action="store_true", dest="print_it", help="print the snapshot (default)")
        parser.add_argument("--publish", action="store_true", help="publish it as the next version")

    def handle(self, *args, print_it: bool, publish: bool, **options) -> None:
        if publish:
            config = publish_pbx_config()
            if config is None:
                raise CommandError("not published (see the log line above)")
            self.stderr.write(f"published version {config.version}")
        else:
            try:
                config = build_pbx_config(version=0)
            except ValidationError as exc:
                raise CommandError(f"the configuration is inconsistent: {exc}") from None
        if print_it or not publish:
            self.stdout.write(config.model_dump_json(indent=2))
