"""Building blocks shared by the write modules: idempotent inserts, set-once updates, seq."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import Insert

from pbx.ledger.enums import WriteStatus
from pbx.ledger.records import WriteResult
from pbx.ledger.schema import Call, Event

calls: Table = Call.__table__  # type: ignore[assignment]
events: Table = Event.__table__  # type: ignore[assignment]

CONFLICT_EVENT = "ledger.conflict"


class InsertIgnore(Insert):
    """INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL say it alike) that SQLAlchemy
    compiles once: its dialect upserts carry no cache key and were compiled on every call,
    which cost more than the write itself (kept for `python -m benchmarks dialer`)."""

    inherit_cache = True  # the class is part of the key, so it never shares a plain INSERT's entry


@compiles(InsertIgnore)
def _compile_insert_ignore(element: InsertIgnore, compiler: Any, **kw: Any) -> str:
    return compiler.visit_insert(element, **kw) + " ON CONFLICT DO NOTHING"


def insert_ignore(conn: AsyncConnection, table: Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING: the database, not a prior SELECT, decides who is first."""
    if conn.dialect.name not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"the call ledger does not support {conn.dialect.name}")
    return InsertIgnore(table)


async def insert_new(conn: AsyncConnection, table: Table, values: Mapping[str, Any]) -> bool:
    result = await conn.execute(insert_ignore(conn, table).values(**values))
    return result.rowcount == 1


async def ensure_call(conn: AsyncConnection, call_id: str) -> bool:
    """Make sure the call row exists; True if it did not (a provisional row was created)."""
    return await insert_new(conn, calls, {"id": call_id, "provisional": True})


def new_fact_status(call_was_unknown: bool, row_was_unknown: bool = False) -> WriteStatus:
    if call_was_unknown:
        return WriteStatus.UNKNOWN_CALL
    return WriteStatus.OUT_OF_ORDER if row_was_unknown else WriteStatus.RECORDED


@dataclass(frozen=True)
class SetOnce:
    applied: bool
    stored: dict[str, Any]  # the values in the row when not applied (empty if applied)


async def set_once(
    conn: AsyncConnection,
    table: Table,
    where: ColumnElement[bool],
    values: Mapping[str, Any],
    guard: str,
) -> SetOnce:
    """Write ``values`` unless ``guard`` is already set: the first observation wins."""
    result = await conn.execute(update(table).where(where, table.c[guard].is_(None)).values(**values))
    if result.rowcount:
        return SetOnce(applied=True, stored={})
    row = (await conn.execute(select(*(table.c[name] for name in values)).where(where))).mappings().one()
    return SetOnce(applied=False, stored=dict(row))


async def stored_values(
    conn: AsyncConnection, table: Table, where: ColumnElement[bool], names: Collection[str]
) -> dict[str, Any]:
    row = (await conn.execute(select(*(table.c[name] for name in names)).where(where))).mappings().one()
    return dict(row)


def differing(stored: Mapping[str, Any], wanted: Mapping[str, Any], keys: Collection[str]) -> list[str]:
    return sorted(key for key in keys if stored.get(key) != wanted[key])


async def append_event_row(
    conn: AsyncConnection,
    call_id: str,
    type_: str,
    payload: Mapping[str, Any],
    at: dt.datetime,
    dedup_key: str | None = None,
) -> tuple[int, bool]:
    """Append one event; returns (seq, was_duplicate). The call row must exist."""
    # Lock the call row first (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already
    # holds the database write lock): concurrent appends then see each other's seq, and the
    # dedup check below cannot race a second copy of the same event.
    last_seq = await conn.scalar(select(calls.c.event_seq).where(calls.c.id == call_id).with_for_update())
    if dedup_key is not None:
        existing = await conn.scalar(
            select(events.c.seq).where(events.c.call_id == call_id, events.c.dedup_key == dedup_key)
        )
        if existing is not None:
            return existing, True
    seq = (last_seq or 0) + 1
    await conn.execute(update(calls).where(calls.c.id == call_id).values(event_seq=seq))
    await conn.execute(
        events.insert().values(
            call_id=call_id, seq=seq, type=type_, at=at, dedup_key=dedup_key, payload=dict(payload)
        )
    )
    return seq, False


async def conflict(
    conn: AsyncConnection,
    call_id: str,
    write: str,
    stored: Mapping[str, Any],
    attempted: Mapping[str, Any],
    fields: Collection[str],
    at: dt.datetime,
) -> WriteResult:
    """Keep the stored values, and the whole rejected attempt as an event, so nothing is lost."""
    payload = {
        "write": write,
        "fields": sorted(fields),
        "kept": {key: stored[key] for key in attempted if key in stored},
        "rejected": dict(attempted),
    }
    seq, _ = await append_event_row(conn, call_id, CONFLICT_EVENT, payload, at)
    detail = f"{write}: kept the stored {', '.join(sorted(fields))}; the attempt is event {seq}"
    return WriteResult(WriteStatus.CONFLICT, call_id, seq=seq, detail=detail)
