"""Alembic environment for the call ledger.

Migrations run through the same async engine as pbx (same URL, drivers and SQLite
pragmas), so `alembic upgrade head` needs nothing but the environment pbx already has.
Only ``ledger_*`` tables are compared: the database is shared with Django, whose tables
autogenerate must never see, let alone drop.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import False_, True_

from pbx.ledger.db import make_engine
from pbx.ledger.schema import TABLE_PREFIX, VERSION_TABLE, metadata
from pbx.ledger.types import UtcDateTime
from pbx.ledger.urls import ledger_url_from_env, to_async_url

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    explicit = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    return to_async_url(explicit, source="alembic url") if explicit else ledger_url_from_env(os.environ)


def include_name(name: str | None, type_: Any, parent_names: Any) -> bool:
    # Called before reflection: Django's tables are never even loaded.
    if type_ == "table":
        return name is not None and name.startswith(TABLE_PREFIX) and name != VERSION_TABLE
    return True


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # Second line of defence for objects that reach comparison by another path (indexes,
    # constraints): anything not on a ledger table is not ours.
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = getattr(table, "name", None)
    return table_name is None or table_name.startswith(TABLE_PREFIX)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations must not import application types that may change later: write the
    # plain SQLAlchemy type the decorator stores.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    # Alembic would render false() compiled for the current database ('0' on SQLite),
    # which PostgreSQL rejects for a boolean column.
    if type_ == "server_default" and isinstance(getattr(obj, "arg", None), False_ | True_):
        return "sa.true()" if isinstance(obj.arg, True_) else "sa.false()"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        include_name=include_name,
        include_object=include_object,
        render_item=render_item,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = make_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
