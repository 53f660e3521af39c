"""Channels of a call (customer, media, agent, snoop), keyed by their ARI channel id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pbx.ledger.enums import LegKind, WriteStatus
from pbx.ledger.records import LegStart, WriteResult
from pbx.ledger.schema import Leg
from pbx.ledger.writes.common import (
    conflict,
    differing,
    ensure_call,
    insert_new,
    new_fact_status,
    set_once,
    stored_values,
)

legs: Table = Leg.__table__  # type: ignore[assignment]


async def _other_call(
    conn: AsyncConnection, call_id: str, channel_id: str, write: str, values: dict[str, Any], at: dt.datetime
) -> WriteResult | None:
    """A conflict if the channel already belongs to another call (ids must be unique)."""
    stored = await stored_values(conn, legs, legs.c.channel_id == channel_id, ("call_id",))
    if stored["call_id"] == call_id:
        return None
    return await conflict(conn, call_id, write, stored, {"call_id": call_id, **values}, ["call_id"], at)


async def started(conn: AsyncConnection, leg: LegStart) -> WriteResult:
    unknown = await ensure_call(conn, leg.call_id)
    values = {
        "kind": LegKind(leg.kind).value,
        "endpoint": leg.endpoint,
        "started_at": leg.started_at,
    }
    if await insert_new(conn, legs, {"call_id": leg.call_id, "channel_id": leg.channel_id, **values}):
        return WriteResult(new_fact_status(unknown), leg.call_id)
    if clash := await _other_call(conn, leg.call_id, leg.channel_id, "leg_started", values, leg.started_at):
        return clash
    # A stand-in left by leg_ended (kind unknown) gets its start now.
    filled = await conn.execute(
        update(legs).where(legs.c.channel_id == leg.channel_id, legs.c.kind.is_(None)).values(**values)
    )
    if filled.rowcount:
        return WriteResult(WriteStatus.RECORDED, leg.call_id, detail="filled in a leg whose end came first")
    stored = await stored_values(conn, legs, legs.c.channel_id == leg.channel_id, values)
    if fields := differing(stored, values, ("kind",)):
        return await conflict(conn, leg.call_id, "leg_started", stored, values, fields, leg.started_at)
    return WriteResult(WriteStatus.DUPLICATE, leg.call_id)


async def ended(
    conn: AsyncConnection,
    call_id: str,
    channel_id: str,
    cause: str | None,
    cause_code: int | None,
    at: dt.datetime,
) -> WriteResult:
    unknown = await ensure_call(conn, call_id)
    values = {"ended_at": at, "cause": cause, "cause_code": cause_code}
    if await insert_new(conn, legs, {"call_id": call_id, "channel_id": channel_id, **values}):
        return WriteResult(new_fact_status(unknown, row_was_unknown=True), call_id)
    if clash := await _other_call(conn, call_id, channel_id, "leg_ended", values, at):
        return clash
    written = await set_once(conn, legs, legs.c.channel_id == channel_id, values, guard="ended_at")
    return WriteResult(WriteStatus.RECORDED if written.applied else WriteStatus.DUPLICATE, call_id)
