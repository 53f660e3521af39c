"""Recordings (MixMonitor / ARI record) of a call, keyed by their name."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pbx.ledger.enums import WriteStatus
from pbx.ledger.records import RecordingStart, WriteResult
from pbx.ledger.schema import Recording
from pbx.ledger.writes.common import ensure_call, insert_new, new_fact_status, set_once

recordings: Table = Recording.__table__  # type: ignore[assignment]


async def started(conn: AsyncConnection, rec: RecordingStart) -> WriteResult:
    unknown = await ensure_call(conn, rec.call_id)
    values = {"target": rec.target, "format": rec.format, "path": rec.path, "started_at": rec.started_at}
    if await insert_new(conn, recordings, {"call_id": rec.call_id, "name": rec.name, **values}):
        return WriteResult(new_fact_status(unknown), rec.call_id)
    key = (recordings.c.call_id == rec.call_id) & (recordings.c.name == rec.name)
    written = await set_once(conn, recordings, key, values, guard="started_at")
    return WriteResult(WriteStatus.RECORDED if written.applied else WriteStatus.DUPLICATE, rec.call_id)


async def finished(
    conn: AsyncConnection,
    call_id: str,
    name: str,
    at: dt.datetime,
    duration_ms: int | None,
    path: str | None,
    format_: str,
) -> WriteResult:
    unknown = await ensure_call(conn, call_id)
    values = {"ended_at": at, "duration_ms": duration_ms}
    row = {"call_id": call_id, "name": name, "format": format_, "path": path, **values}
    if await insert_new(conn, recordings, row):
        return WriteResult(new_fact_status(unknown, row_was_unknown=True), call_id)
    key = (recordings.c.call_id == call_id) & (recordings.c.name == name)
    written = await set_once(conn, recordings, key, values, guard="ended_at")
    if written.applied and path is not None:
        await conn.execute(update(recordings).where(key, recordings.c.path.is_(None)).values(path=path))
    return WriteResult(WriteStatus.RECORDED if written.applied else WriteStatus.DUPLICATE, call_id)
