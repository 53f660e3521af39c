"""The call row: start, answer, end. Each milestone is written once; repeats are reported."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from pbx.ledger.enums import CallOutcome, Direction, WriteStatus
from pbx.ledger.records import CallStart, WriteResult
from pbx.ledger.writes.common import (
    calls,
    conflict,
    differing,
    ensure_call,
    insert_new,
    new_fact_status,
    set_once,
    stored_values,
)


def _start_values(call: CallStart) -> dict[str, Any]:
    values = asdict(call)
    values.pop("call_id")
    values["direction"] = Direction(call.direction).value
    return values


async def started(conn: AsyncConnection, call: CallStart) -> WriteResult:
    values = _start_values(call)
    if await insert_new(conn, calls, {"id": call.call_id, "provisional": False, **values}):
        return WriteResult(WriteStatus.RECORDED, call.call_id)
    # Facts that overtook the start made a provisional row; fill it in, keeping those facts.
    filled = await conn.execute(
        update(calls)
        .where(calls.c.id == call.call_id, calls.c.provisional.is_(True))
        .values(provisional=False, **values)
    )
    if filled.rowcount:
        return WriteResult(WriteStatus.RECORDED, call.call_id, detail="filled in a provisional call")
    stored = await stored_values(conn, calls, calls.c.id == call.call_id, values)
    if fields := differing(stored, values, values):
        return await conflict(conn, call.call_id, "call_started", stored, values, fields, call.started_at)
    return WriteResult(WriteStatus.DUPLICATE, call.call_id)


async def answered(conn: AsyncConnection, call_id: str, at: dt.datetime) -> WriteResult:
    unknown = await ensure_call(conn, call_id)
    # A second answer report (ARI and AMI both see it) is the same fact: first time wins.
    outcome = await set_once(conn, calls, calls.c.id == call_id, {"answered_at": at}, guard="answered_at")
    if outcome.applied:
        return WriteResult(new_fact_status(unknown), call_id)
    return WriteResult(WriteStatus.DUPLICATE, call_id)


async def ended(
    conn: AsyncConnection,
    call_id: str,
    outcome: CallOutcome,
    cause: str | None,
    cause_code: int | None,
    at: dt.datetime,
) -> WriteResult:
    unknown = await ensure_call(conn, call_id)
    values = {
        "ended_at": at,
        "outcome": CallOutcome(outcome).value,
        "hangup_cause": cause,
        "hangup_cause_code": cause_code,
    }
    written = await set_once(conn, calls, calls.c.id == call_id, values, guard="ended_at")
    if written.applied:
        return WriteResult(new_fact_status(unknown), call_id)
    # Ended twice with the same outcome is a repeat (StasisEnd and ChannelDestroyed both
    # end a call); a different outcome is a real disagreement worth keeping.
    if fields := differing(written.stored, values, ("outcome",)):
        return await conflict(conn, call_id, "call_ended", written.stored, values, fields, at)
    return WriteResult(WriteStatus.DUPLICATE, call_id)
