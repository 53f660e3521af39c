"""Ledger fixtures: a real SQLite file per test, the schema from the SQLAlchemy metadata.

Migrations are tested separately (test_migrations.py checks that Alembic's head equals this
metadata), so unit tests can build the schema the fast way.

``LEDGER_TEST_DATABASE_URL=postgresql+asyncpg://...`` runs the same tests on PostgreSQL
(needs the ``postgres`` extra); that database's ledger tables are dropped and re-created
for every test.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from pbx.ledger.db import make_engine
from pbx.ledger.schema import metadata
from pbx.ledger.writer import LedgerWriter

T0 = dt.datetime(2026, 3, 2, 9, 30, 0, tzinfo=dt.UTC)


def at(ms: int) -> dt.datetime:
    """A timestamp ``ms`` milliseconds after T0."""
    return T0 + dt.timedelta(milliseconds=ms)


POSTGRES_URL = os.environ.get("LEDGER_TEST_DATABASE_URL")


@pytest.fixture
def ledger_url(tmp_path: Path) -> str:
    return POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path / 'ledger.sqlite3'}"


@pytest.fixture
async def engine(ledger_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(ledger_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def writer(engine: AsyncEngine) -> LedgerWriter:
    return LedgerWriter(engine, clock=lambda: at(999_000))
