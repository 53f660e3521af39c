"""``python -m pbx.guard``: when pbx dies, its callers go to a human, not into silence.

Asterisk keeps a channel in a Stasis app after the app's websocket is gone, so a crashed
pbx would leave answered callers in dead air. This small, separate process watches pbx's
health endpoint; once pbx has been unreachable for the grace period it continues every
answered channel of the app into the dialplan's fail-safe (a human queue) and hangs up the
media legs. It holds no websocket and no call state, so it has little reason to die itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time

import aiohttp

from pbx.api import HandoverReason
from pbx.ari.client import AriError, AriRest, HttpAriRest
from pbx.settings import PbxSettings, SettingsError

log = logging.getLogger("pbx.guard")


async def hand_over_orphans(rest: AriRest, app: str, reason: str) -> list[str]:
    """Send the app's answered callers to the fail-safe queue; returns their channel ids."""
    try:
        channel_ids = (await rest.get(f"applications/{app}")).get("channel_ids", [])
    except AriError:
        return []
    moved = []
    for channel_id in channel_ids:
        try:
            channel = await rest.get(f"channels/{channel_id}")
            if str(channel.get("name", "")).startswith("UnicastRTP/") or channel.get("state") != "Up":
                await rest.delete(f"channels/{channel_id}")
                continue
            await rest.post(f"channels/{channel_id}/variable", variable="CC_ESCALATION_REASON", value=reason)
            await rest.post(f"channels/{channel_id}/continue", context="cc-failsafe", extension="s", priority=1)
            moved.append(channel_id)
        except AriError as exc:
            log.warning("channel %s: %s", channel_id, exc)  # gone meanwhile, or pbx moved it first
    return moved


class Guard:
    def __init__(self, rest: AriRest, session: aiohttp.ClientSession, health_url: str, app: str,
                 grace_s: float = 2.0, interval_s: float = 0.5) -> None:  # fmt: skip
        self._rest = rest
        self._session = session
        self._health_url = health_url
        self._app = app
        self._grace_s = grace_s
        self._interval_s = interval_s
        self.handed_over = 0

    async def pbx_alive(self) -> bool:
        try:
            async with self._session.get(self._health_url, timeout=aiohttp.ClientTimeout(total=1)) as response:
                await response.read()
                return True  # 503 (ARI reconnecting) is alive: pbx reconciles by itself
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            return False

    async def run(self) -> None:
        down_since: float | None = None
        while True:
            if await self.pbx_alive():
                down_since = None
            else:
                now = time.monotonic()
                down_since = down_since or now
                if now - down_since >= self._grace_s:
                    moved = await hand_over_orphans(self._rest, self._app, HandoverReason.PBX_DOWN)
                    if moved:
                        self.handed_over += len(moved)
                        log.warning("pbx is down: %d caller(s) sent to the fail-safe queue", len(moved))
            await asyncio.sleep(self._interval_s)


def main() -> int:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = PbxSettings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    grace = float(os.environ.get("PBX_GUARD_GRACE_S", "2.0"))

    async def run() -> None:
        task = asyncio.current_task()
        assert task is not None
        for sig in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(sig, task.cancel)
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, settings.ari_url, settings.ari_user, settings.ari_password)
            health = f"http://{settings.health_host}:{settings.health_port}/health"
            try:
                await Guard(rest, session, health, settings.ari_app, grace_s=grace).run()
            except asyncio.CancelledError:
                log.info("guard stopping")

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
