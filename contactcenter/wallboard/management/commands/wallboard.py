"""``python manage.py wallboard``: the wallboard feeder as its own process.

The web server runs one by itself (started by the first wallboard page); run this instead
when the web tier has several processes or hosts and you want the feeder warm before anyone
looks, or set ``WALLBOARD_EMBEDDED_FEEDER = False``. Feeders share a Redis lock: one leads.
"""

from __future__ import annotations

import asyncio

from channels.layers import get_channel_layer
from django.core.management.base import BaseCommand

from contactcenter.wallboard.config import FeederConfig
from contactcenter.wallboard.feeder import Feeder


class Command(BaseCommand):
    help = "Tail pbx's events and feed the wallboard's websocket group (one leads per site)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-replay", action="store_true", help="Do not replay today's events on start.")

    def handle(self, *args, **options) -> None:
        config = FeederConfig.from_settings()
        if options["no_replay"]:
            from dataclasses import replace

            config = replace(config, replay_today=False)
        feeder = Feeder(config, get_channel_layer())
        try:
            asyncio.run(feeder.run())
        except KeyboardInterrupt:
            pass
