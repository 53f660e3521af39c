"""``python -m pbx``: run the call service until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys

from pbx.bot.runtime import load_bot_runtime
from pbx.service import serve
from pbx.settings import PbxSettings, SettingsError


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = PbxSettings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    async def run() -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        bot = await loop.run_in_executor(None, load_bot_runtime, settings)
        # What is loaded now (modules, speech models, ~100k objects) lives as long as pbx: out of
        # the collector's sight, a full collection during a burst of calls no longer walks it all
        # (about 50 ms, longer than the burst's answers take; `python -m benchmarks dialer`).
        gc.freeze()
        try:
            await serve(settings, bot.conversations, bot.prompt_files, bot.status)
        except asyncio.CancelledError:
            logging.getLogger("pbx").info("pbx stopping")

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(run())
    return 0


def _loop_factory():
    """uvloop when installed (it comes with uvicorn[standard]) unless ``PBX_EVENT_LOOP=asyncio``:
    pbx's work per call is mostly socket reads and writes (ARI, Redis, AMI), which uvloop
    does in C."""
    if os.environ.get("PBX_EVENT_LOOP", "uvloop") == "uvloop":
        try:
            import uvloop
        except ImportError:
            return None
        return uvloop.new_event_loop
    return None


if __name__ == "__main__":
    sys.exit(main())
