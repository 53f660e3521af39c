"""Which database the ledger lives in, from environment variables only.

The ledger shares Django's database by default, so one SQLite file (or one PostgreSQL
database) holds configuration and calls and Django can read the ledger without a second
connection. Django's ``DATABASE_URL`` names sync drivers; the ledger writes from asyncio, so
the URL is translated to the async driver of the same database.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

REPO_DIR = Path(__file__).resolve().parents[2]
SQLITE_FILE_NAME = "contactcenter.sqlite3"

# dj-database-url scheme (and SQLAlchemy's sync spellings) -> SQLAlchemy async dialect+driver.
_ASYNC_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "pgsql": "postgresql+asyncpg",
    "postgis": "postgresql+asyncpg",
}
# Drivers that already speak asyncio are kept as the user wrote them.
_ASYNC_DRIVERS = {"aiosqlite", "asyncpg", "psycopg", "psycopg_async"}


class LedgerUrlError(ValueError):
    """A database URL the ledger cannot use; the message names the variable to change."""


def to_async_url(url: str, *, source: str = "LEDGER_DATABASE_URL") -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise LedgerUrlError(f"{source}={url!r} is not a database URL (expected scheme://...)")
    dialect, _, driver = scheme.partition("+")
    if driver in _ASYNC_DRIVERS:
        return url
    try:
        target = _ASYNC_SCHEMES[dialect]
    except KeyError:
        raise LedgerUrlError(
            f"{source} uses {scheme!r}; the call ledger supports SQLite and PostgreSQL only"
        ) from None
    if target.endswith("+asyncpg"):
        rest = _libpq_query_to_asyncpg(rest)
    return f"{target}://{rest}"


def _libpq_query_to_asyncpg(rest: str) -> str:
    # URL query options reach asyncpg.connect() as keyword arguments; asyncpg spells
    # libpq's sslmode as ssl (same values: disable, require, verify-full, ...).
    location, sep, query = rest.partition("?")
    if not sep:
        return rest
    pairs = [
        ("ssl" if key == "sslmode" else key, value) for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return f"{location}?{urlencode(pairs)}"


def default_sqlite_url(env: Mapping[str, str]) -> str:
    # Same rule as contactcenter.site.config (CC_VAR_DIR, else <repo>/var), repeated here
    # because the real-time plane never imports the management plane.
    var_dir = Path(env.get("CC_VAR_DIR") or REPO_DIR / "var").resolve()
    return f"sqlite+aiosqlite:///{var_dir / SQLITE_FILE_NAME}"


def ledger_url_from_env(env: Mapping[str, str]) -> str:
    """``LEDGER_DATABASE_URL``, else Django's ``DATABASE_URL``, else the shared SQLite file."""
    if explicit := env.get("LEDGER_DATABASE_URL"):
        return to_async_url(explicit)
    if django_url := env.get("DATABASE_URL"):
        return to_async_url(django_url, source="DATABASE_URL")
    return default_sqlite_url(env)
