"""``python -m benchmarks._pbx_timed``: ``python -m pbx`` with timers around its per-call steps.

Diagnostics for ``python -m benchmarks dialer --profile-pbx``: the same service, but the steps
a call goes through (the command, originate, each event's ledger write and Redis publish, each
ARI request, the StasisStart handler) are wrapped in wall-clock timers, and on exit a summary
(count, median and total per step) is written as JSON to ``$BENCH_PBX_TIMES``.

``$BENCH_PBX_WHATIF`` tries a change without editing pbx, to measure what it would gain:
``ledger-behind`` publishes each event on Redis at once and writes the ledger from one
background task, in order (instead of awaiting two SQLite transactions per event inline);
``ledger-behind,concurrent`` also handles the commands of one stream read concurrently.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

TIMES: dict[str, list[float]] = defaultdict(list)


def _wrap(cls: type, name: str, label: Callable[..., str]) -> None:
    original = getattr(cls, name)

    @functools.wraps(original)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            TIMES[label(*args, **kwargs)].append(time.perf_counter() - start)

    setattr(cls, name, timed)


def _summary() -> dict[str, dict[str, float]]:
    return {
        name: {"n": len(values), "median_ms": round(statistics.median(values) * 1000, 2),
               "total_s": round(sum(values), 3)}  # fmt: skip
        for name, values in sorted(TIMES.items())
    }


def _ledger_behind() -> None:
    import asyncio
    import logging

    from pbx.api import to_fields
    from pbx.bus.events import EventPublisher

    log = logging.getLogger("bench.whatif")

    async def publish(self: EventPublisher, event: Any) -> None:
        queue = self.__dict__.get("_bench_queue")
        if queue is None:
            queue = self.__dict__["_bench_queue"] = asyncio.Queue()

            async def writer() -> None:
                while True:
                    pending = await queue.get()
                    for sink in self._sinks:
                        try:
                            await sink(pending)
                        except Exception:
                            log.exception("ledger sink failed for %s", pending.type)

            self.__dict__["_bench_writer"] = asyncio.get_running_loop().create_task(writer())
        queue.put_nowait(event)
        self._backlog.append(to_fields(event))
        await self.flush()

    EventPublisher.publish = publish  # type: ignore[method-assign]


def _concurrent_commands() -> None:
    import asyncio

    from pbx.bus.commands import CommandConsumer

    async def drain(self: CommandConsumer, handle: Any, start: str, block_ms: int | None) -> None:
        while True:
            reply = await self._redis.xreadgroup(self._group, self._consumer, {self._stream: start}, count=50,
                                                 block=block_ms)  # fmt: skip
            entries = reply[0][1] if reply else []
            if not entries:
                return
            await asyncio.gather(*(self._handle_one(handle, entry_id, fields) for entry_id, fields in entries))
            if start == ">":
                return

    CommandConsumer._drain = drain  # type: ignore[method-assign]


def install() -> None:
    whatif = os.environ.get("BENCH_PBX_WHATIF", "")
    if "ledger-behind" in whatif:
        _ledger_behind()
    if "concurrent" in whatif:
        _concurrent_commands()

    from pbx.ari.client import HttpAriRest
    from pbx.bus.commands import CommandConsumer
    from pbx.bus.events import EventPublisher
    from pbx.bus.ledger_sink import LedgerSink
    from pbx.calls.engine import CallEngine

    _wrap(CommandConsumer, "_handle_one", lambda *a, **k: "command (parse, handle, XACK)")
    _wrap(CallEngine, "originate", lambda *a, **k: "originate (CallStarted + ARI POST)")
    _wrap(CallEngine, "_on_StasisStart", lambda *a, **k: "StasisStart handler")
    _wrap(EventPublisher, "publish", lambda self, event: f"publish {event.type} (ledger + XADD)")
    _wrap(EventPublisher, "flush", lambda *a, **k: "XADD to the event stream")
    _wrap(LedgerSink, "__call__", lambda self, event: f"ledger write {event.type}")
    _wrap(HttpAriRest, "post", lambda self, path, *a, **k: f"ARI POST {path.split('/')[0]}"
          + ("/" + path.split("/")[-1] if "/" in path else ""))  # fmt: skip
    _wrap(HttpAriRest, "delete", lambda self, path, *a, **k: f"ARI DELETE {path.split('/')[0]}")

    out = os.environ.get("BENCH_PBX_TIMES")
    if out:
        atexit.register(lambda: open(out, "w").write(json.dumps(_summary())))


if __name__ == "__main__":
    install()
    from pbx.__main__ import main

    sys.exit(main())
