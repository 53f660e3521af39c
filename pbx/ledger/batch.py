"""Batches of ledger writes in one transaction on a worker thread (SQLite).

Through aiosqlite every statement is a round trip to the driver's thread and back through
the event loop (about 0.8 ms; recording one event takes about seven statements), and all that
time the database write lock is held, which starves the dialer's writes to the same file. A
batch run on one thread with the plain sqlite3 driver pays the hop once. The write functions
are the same coroutines as everywhere: on the thread they get a connection whose methods
return at once, so each coroutine runs to its end without ever suspending.

Kept for speed: `python -m benchmarks dialer` (pbx's ledger falls behind a burst without it;
200 calls / 800 events went from 2.96 to 0.81 ms per event when it came in).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine

from pbx.ledger.types import utcnow
from pbx.ledger.writer import Clock, LedgerWriter

T = TypeVar("T")


class ImmediateConnection:
    """What the write functions use of an ``AsyncConnection``, over a plain ``Connection``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @property
    def dialect(self) -> Any:
        return self._conn.dialect

    async def execute(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self._conn.execute(statement, parameters, **kw)

    async def scalar(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self._conn.scalar(statement, parameters, **kw)


def run_to_end(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (all it awaits is :class:`ImmediateConnection`)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("a ledger write waited on something else inside a threaded batch")


class ThreadedBatches:
    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def run(self, work: Callable[[LedgerWriter], Awaitable[None]]) -> None:
        """``work`` with a writer bound to one transaction, committed if it returns."""
        await asyncio.to_thread(self._run, work)

    def _run(self, work: Callable[[LedgerWriter], Awaitable[None]]) -> None:
        with self._engine.begin() as conn:
            writer = LedgerWriter.bound(ImmediateConnection(conn), clock=self._clock)  # type: ignore[arg-type]
            run_to_end(work(writer))  # type: ignore[arg-type]
