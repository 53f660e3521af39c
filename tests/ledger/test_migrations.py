"""Alembic, run the way CI and operators run it: the CLI from the repo root, env vars only."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from contactcenter.site.config import REPO_DIR
from pbx.ledger.schema import VERSION_TABLE, metadata

DB_VARS = ("DATABASE_URL", "LEDGER_DATABASE_URL", "CC_VAR_DIR")


def alembic(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in DB_VARS}
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=REPO_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def head() -> str:
    return ScriptDirectory.from_config(Config(str(REPO_DIR / "alembic.ini"))).get_current_head()


def test_upgrade_head_then_check_is_clean(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ledger.sqlite3'}"
    ok(alembic("upgrade", "head", LEDGER_DATABASE_URL=url))
    assert "No new upgrade operations detected" in ok(alembic("check", LEDGER_DATABASE_URL=url))


def test_default_database_is_the_shared_file_in_cc_var_dir(tmp_path: Path) -> None:
    ok(alembic("upgrade", "head", CC_VAR_DIR=str(tmp_path)))
    db = tmp_path / "contactcenter.sqlite3"
    assert tables(db) >= set(metadata.tables) | {VERSION_TABLE}
    with sqlite3.connect(db) as conn:
        assert conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall() == [(head(),)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_django_tables_are_invisible_to_check_and_survive_downgrade(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    with sqlite3.connect(db) as conn:  # stand-ins for Django's tables in the shared file
        conn.execute("CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username TEXT)")
        conn.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT)")
    url = f"sqlite:///{db}"  # Django's spelling works too
    ok(alembic("upgrade", "head", LEDGER_DATABASE_URL=url))
    assert "No new upgrade operations detected" in ok(alembic("check", LEDGER_DATABASE_URL=url))
    ok(alembic("downgrade", "base", LEDGER_DATABASE_URL=url))
    assert tables(db) == {"auth_user", "django_migrations", VERSION_TABLE}
    ok(alembic("upgrade", "head", LEDGER_DATABASE_URL=url))  # and the way back up works


def test_check_fails_when_the_database_drifts_from_the_models(tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite3"
    url = f"sqlite+aiosqlite:///{db}"
    ok(alembic("upgrade", "head", LEDGER_DATABASE_URL=url))
    with sqlite3.connect(db) as conn:
        conn.execute("DROP INDEX ix_ledger_calls_started_at")
    result = alembic("check", LEDGER_DATABASE_URL=url)
    assert result.returncode != 0
    assert "ix_ledger_calls_started_at" in result.stdout + result.stderr


def test_one_head_and_a_prefixed_version_table() -> None:
    script = ScriptDirectory.from_config(Config(str(REPO_DIR / "alembic.ini")))
    assert len(script.get_heads()) == 1, "parallel migrations: merge them (alembic merge heads)"
    assert VERSION_TABLE.startswith("ledger_")
