"""How far the ledger has applied an event stream (one row per stream)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pbx.ledger.schema import LedgerPosition
from pbx.ledger.writes.common import insert_new

positions: Table = LedgerPosition.__table__  # type: ignore[assignment]


async def record(conn: AsyncConnection, stream: str, entry_id: str, entries_added: int | None,
                 at: dt.datetime) -> None:  # fmt: skip
    values = {"entry_id": entry_id, "entries_added": entries_added, "updated_at": at}
    moved = await conn.execute(update(positions).where(positions.c.stream == stream).values(**values))
    if not moved.rowcount:
        await insert_new(conn, positions, {"stream": stream, **values})


async def read(conn: AsyncConnection, stream: str) -> tuple[str, int | None] | None:
    row = (await conn.execute(select(positions.c.entry_id, positions.c.entries_added)
                              .where(positions.c.stream == stream))).one_or_none()  # fmt: skip
    return None if row is None else (row.entry_id, row.entries_added)
