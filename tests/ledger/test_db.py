"""Engine set-up: URLs from the environment, SQLite pragmas on every connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbx.ledger.db import create_engine_from_env, make_engine
from pbx.ledger.urls import REPO_DIR, LedgerUrlError, ledger_url_from_env


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"LEDGER_DATABASE_URL": "sqlite+aiosqlite:////x/l.db", "DATABASE_URL": "postgres://u@h/d"},
            "sqlite+aiosqlite:////x/l.db",
        ),
        ({"LEDGER_DATABASE_URL": "postgresql://u:p@h:5433/cc"}, "postgresql+asyncpg://u:p@h:5433/cc"),
        (
            {"DATABASE_URL": "postgres://u:p@db.example:5432/cc"},
            "postgresql+asyncpg://u:p@db.example:5432/cc",
        ),
        ({"DATABASE_URL": "pgsql://u@h/cc?sslmode=require"}, "postgresql+asyncpg://u@h/cc?ssl=require"),
        ({"DATABASE_URL": "postgresql+psycopg://u@h/cc"}, "postgresql+psycopg://u@h/cc"),
        ({"DATABASE_URL": "sqlite:////srv/cc/cc.sqlite3"}, "sqlite+aiosqlite:////srv/cc/cc.sqlite3"),
        ({"CC_VAR_DIR": "/srv/cc/var"}, "sqlite+aiosqlite:////srv/cc/var/contactcenter.sqlite3"),
        ({}, f"sqlite+aiosqlite:///{REPO_DIR / 'var' / 'contactcenter.sqlite3'}"),
    ],
)
def test_ledger_url_from_env(env: dict[str, str], expected: str) -> None:
    assert ledger_url_from_env(env) == expected


def test_default_is_the_same_file_as_django(tmp_path: Path) -> None:
    # Django's settings use StackConfig's var dir; the ledger repeats that rule without
    # importing the management plane. (test_django_reads.py checks it end to end.)
    from contactcenter.site.config import StackConfig

    for env in ({}, {"CC_VAR_DIR": str(tmp_path)}):
        django_file = StackConfig.from_env(env).var_dir / "contactcenter.sqlite3"
        assert ledger_url_from_env(env) == f"sqlite+aiosqlite:///{django_file}"


def test_unsupported_database_names_the_variable() -> None:
    with pytest.raises(LedgerUrlError, match="DATABASE_URL"):
        ledger_url_from_env({"DATABASE_URL": "mysql://u@h/cc"})
    with pytest.raises(LedgerUrlError, match="LEDGER_DATABASE_URL"):
        ledger_url_from_env({"LEDGER_DATABASE_URL": "not a url"})


async def test_sqlite_pragmas_on_connect(tmp_path: Path) -> None:
    engine = create_engine_from_env({"CC_VAR_DIR": str(tmp_path / "new" / "var")})
    try:
        async with engine.connect() as conn:
            pragmas = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
            }
    finally:
        await engine.dispose()
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 10_000, "foreign_keys": 1, "synchronous": 1}
    assert (tmp_path / "new" / "var" / "contactcenter.sqlite3").exists()  # directory made on demand


async def test_busy_timeout_is_configurable(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", busy_timeout_ms=250)
    try:
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 250
    finally:
        await engine.dispose()
