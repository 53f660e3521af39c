"""``python -m benchmarks._pbx_timed``: ``python -m pbx`` as the dialer benchmark needs it.

``$BENCH_PBX_AFTER_ANSWER=hold``: an answered call stays in Stasis without the bot (no media
leg, no conversation) until the customer hangs up, as the raw side's calls do, so that both
sides compare the dialling path alone; everything up to and including ``call.answered`` is
pbx's own code.

``$BENCH_PBX_TIMES`` (``--profile-pbx``): the steps a call goes through (the command,
originate, each event's Redis publish, the ledger's batches, each ARI request, the
StasisStart handler) are wrapped in wall-clock timers, and on exit a summary (count, median
and total per step) is written there as JSON.
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


def _hold_after_answer() -> None:
    from pbx.calls.bot_link import BotLink

    async def hold(self: BotLink, call: Any) -> None:
        return None

    BotLink.connect = hold  # type: ignore[method-assign]


def install() -> None:
    if os.environ.get("BENCH_PBX_AFTER_ANSWER") == "hold":
        _hold_after_answer()
    out = os.environ.get("BENCH_PBX_TIMES")
    if not out:
        return
    from pbx.ari.client import HttpAriRest
    from pbx.bus.commands import CommandConsumer
    from pbx.bus.ledger_sink import LedgerSink
    from pbx.bus.publisher import EventPublisher
    from pbx.calls.engine import CallEngine
    from pbx.calls.routing import AriEventHandlers

    # Patched on the classes before the engine exists: its handler table holds the wrapped methods.
    _wrap(CommandConsumer, "_handle_one", lambda *a, **k: "command (parse, handle, XACK)")
    _wrap(CallEngine, "originate", lambda *a, **k: "originate (CallStarted + ARI POST)")
    _wrap(AriEventHandlers, "stasis_start", lambda *a, **k: "StasisStart handler")
    _wrap(EventPublisher, "publish", lambda self, event: f"publish {event.type}")
    _wrap(EventPublisher, "flush", lambda *a, **k: "XADD to the event stream")
    _wrap(LedgerSink, "write_batch", lambda self, events, *a: "ledger batch write (behind the live path)")
    _wrap(HttpAriRest, "post", lambda self, path, *a, **k: f"ARI POST {path.split('/')[0]}"
          + ("/" + path.split("/")[-1] if "/" in path else ""))  # fmt: skip
    _wrap(HttpAriRest, "delete", lambda self, path, *a, **k: f"ARI DELETE {path.split('/')[0]}")

    atexit.register(lambda: open(out, "w").write(json.dumps(_summary())))


if __name__ == "__main__":
    install()
    from pbx.__main__ import main

    sys.exit(main())
