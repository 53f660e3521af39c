"""Engines and sessions for the ledger: the only place that knows about drivers and pragmas."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from pbx.ledger.urls import ledger_url_from_env

# Execution option that marks a connection as a reader (see _begin_sqlite).
READ_ONLY = "ledger_read_only"
DEFAULT_BUSY_TIMEOUT_MS = 10_000


def _json_default(value: Any) -> Any:
    # Payloads come from ARI/AMI events and our own dataclasses; accept their usual types
    # rather than making every caller pre-serialise timestamps and enums.
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable for the ledger")


def json_dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _prepare_sqlite_file(url: URL) -> None:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_hooks(sync_engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transactions out of the driver's hands so _begin_sqlite can say IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: Django reads while pbx appends. busy_timeout: writers queue instead of failing.
        # synchronous=NORMAL is durable across application crashes in WAL mode and keeps
        # append-heavy writes off fsync on every commit.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _begin_sqlite(connection: Connection) -> None:
        # A deferred transaction that reads and then writes can fail at once with
        # SQLITE_BUSY in WAL mode (its snapshot is stale), and busy_timeout does not help.
        # Writers therefore take the write lock up front; readers keep deferred BEGIN so they
        # never block pbx.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(
    url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, echo: bool = False
) -> AsyncEngine:
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite:
        _prepare_sqlite_file(parsed)
    engine = create_async_engine(parsed, echo=echo, json_serializer=json_dumps, pool_pre_ping=not is_sqlite)
    if is_sqlite:
        _install_sqlite_hooks(engine.sync_engine, busy_timeout_ms)
    return engine


def make_sqlite_thread_engine(url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine | None:
    """The same SQLite file through the plain sqlite3 driver, for work done in one worker thread
    (see :mod:`pbx.ledger.batch`); None for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    _prepare_sqlite_file(parsed)
    engine = create_engine(parsed.set(drivername="sqlite+pysqlite"), json_serializer=json_dumps,
                           connect_args={"check_same_thread": False})  # fmt: skip
    _install_sqlite_hooks(engine, busy_timeout_ms)
    return engine


def create_engine_from_env(env: Mapping[str, str] | None = None) -> AsyncEngine:
    return make_engine(ledger_url_from_env(os.environ if env is None else env))


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, but transactions that never take SQLite's write lock."""
    return engine.execution_options(**{READ_ONLY: True})


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit without lazy I/O in asyncio.
    return async_sessionmaker(engine, expire_on_commit=False)
