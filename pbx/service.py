"""Composition root of the pbx service: builds the connections and runs them together."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
from aiohttp import web

from pbx.ami import AmiLink
from pbx.ari.client import HttpAriRest
from pbx.ari.connection import AriEventStream
from pbx.ari.events import AriEvent
from pbx.backoff import Backoff
from pbx.health import health_app
from pbx.settings import PbxSettings

log = logging.getLogger(__name__)


class PbxService:
    def __init__(self, settings: PbxSettings, session: aiohttp.ClientSession) -> None:
        self.settings = settings
        self.started_at = time.time()
        self.rest = HttpAriRest(session, settings.ari_url, settings.ari_user, settings.ari_password)
        self.events = AriEventStream(
            session, settings.ari_url, settings.ari_user, settings.ari_password, settings.ari_app,
            Backoff(settings.reconnect_min_s, settings.reconnect_max_s),
        )  # fmt: skip
        self.ami = AmiLink(settings.ami_host, settings.ami_port, settings.ami_user, settings.ami_secret)
        self.asterisk_version: str | None = None
        self.events_seen = 0

    async def on_ari_connect(self) -> None:
        info = await self.rest.get("asterisk/info")
        self.asterisk_version = info.get("system", {}).get("version")

    async def on_ari_event(self, event: AriEvent) -> None:
        self.events_seen += 1
        log.debug("ARI event %s channel=%s", event.type, event.channel_id)

    def report(self) -> dict[str, Any]:
        return {
            "ok": self.events.connected and self.ami.logged_in,
            "uptime_s": round(time.time() - self.started_at, 1),
            "ari": {
                "connected": self.events.connected,
                "app": self.settings.ari_app,
                "asterisk_version": self.asterisk_version,
                "reconnects": self.events.reconnects,
                "last_error": self.events.last_error,
                "events_seen": self.events_seen,
            },
            "ami": {"logged_in": self.ami.logged_in, "last_error": self.ami.last_error},
        }


async def serve(settings: PbxSettings) -> None:
    async with aiohttp.ClientSession() as session:
        service = PbxService(settings, session)
        runner = web.AppRunner(health_app(service.report), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.health_host, settings.health_port)
        await site.start()
        log.info("pbx health on http://%s:%s/health", settings.health_host, settings.health_port)
        await service.ami.start()
        try:
            await service.events.run(service.on_ari_event, service.on_ari_connect)
        finally:
            service.ami.close()
            await runner.cleanup()
