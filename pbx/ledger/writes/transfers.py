"""Hand-offs to human queues: request, the three milestones, and the result.

pbx writes the request; the milestones come from ARI (left Stasis) and AMI (queue joined,
agent connected), which can overtake the request, so any of them may create the row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pbx.ledger.enums import TransferResult, TransferStage, WriteStatus
from pbx.ledger.records import TransferRequest, WriteResult
from pbx.ledger.schema import Decision, Transfer
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

transfers: Table = Transfer.__table__  # type: ignore[assignment]
decisions: Table = Decision.__table__  # type: ignore[assignment]

STAGE_COLUMN = {
    TransferStage.LEFT_STASIS: "left_stasis_at",
    TransferStage.QUEUE_JOINED: "queue_joined_at",
    TransferStage.AGENT_CONNECTED: "agent_connected_at",
}


def _key(call_id: str, transfer_id: str) -> Any:
    return (transfers.c.call_id == call_id) & (transfers.c.transfer_id == transfer_id)


async def _refresh_derived(conn: AsyncConnection, call_id: str, transfer_id: str) -> None:
    """Recompute what other rows derive from this transfer, whatever order facts came in."""
    row = (
        await conn.execute(
            select(transfers.c.decision_id, transfers.c.requested_at, transfers.c.queue_joined_at).where(
                _key(call_id, transfer_id)
            )
        )
    ).one()
    if row.queue_joined_at is not None:
        origin = None
        if row.decision_id is not None:
            origin = await conn.scalar(
                select(decisions.c.at).where(
                    decisions.c.call_id == call_id, decisions.c.decision_id == row.decision_id
                )
            )
        origin = origin or row.requested_at
        if origin is not None:
            latency_ms = round((row.queue_joined_at - origin).total_seconds() * 1000)
            await conn.execute(
                update(transfers).where(_key(call_id, transfer_id)).values(decision_to_queue_ms=latency_ms)
            )
    # The call's final queue/agent are those of its latest transfer.
    latest = (
        await conn.execute(
            select(transfers.c.queue, transfers.c.agent)
            .where(transfers.c.call_id == call_id)
            .order_by(transfers.c.id.desc())
            .limit(1)
        )
    ).one()
    await conn.execute(
        update(calls)
        .where(calls.c.id == call_id)
        .values(
            escalated=True,
            final_queue=func.coalesce(latest.queue, calls.c.final_queue),
            agent=func.coalesce(latest.agent, calls.c.agent),
        )
    )


async def requested(conn: AsyncConnection, req: TransferRequest) -> WriteResult:
    unknown = await ensure_call(conn, req.call_id)
    values = {
        "queue": req.queue,
        "reason": req.reason,
        "score": req.score,
        "decision_id": req.decision_id,
        "requested_at": req.requested_at,
    }
    key = _key(req.call_id, req.transfer_id)
    if await insert_new(conn, transfers, {"call_id": req.call_id, "transfer_id": req.transfer_id, **values}):
        status = new_fact_status(unknown)
    else:
        filled = await conn.execute(
            update(transfers).where(key, transfers.c.requested_at.is_(None)).values(**values)
        )
        if not filled.rowcount:
            stored = await stored_values(conn, transfers, key, values)
            if fields := differing(stored, values, ("queue", "decision_id")):
                return await conflict(
                    conn, req.call_id, "transfer_requested", stored, values, fields, req.requested_at
                )
            return WriteResult(WriteStatus.DUPLICATE, req.call_id)
        status = WriteStatus.RECORDED
    await _refresh_derived(conn, req.call_id, req.transfer_id)
    return WriteResult(status, req.call_id)


async def progressed(
    conn: AsyncConnection,
    call_id: str,
    transfer_id: str,
    stage: TransferStage,
    at: dt.datetime,
    queue: str | None,
    agent: str | None,
) -> WriteResult:
    stage = TransferStage(stage)
    unknown = await ensure_call(conn, call_id)
    column = STAGE_COLUMN[stage]
    values: dict[str, Any] = {column: at}
    if agent is not None:
        values["agent"] = agent
    # An agent picking up is the transfer's result, unless a result was already stored.
    answered = (
        {"result": TransferResult.ANSWERED.value, "result_at": at}
        if stage is TransferStage.AGENT_CONNECTED
        else {}
    )
    key = _key(call_id, transfer_id)
    new_row = {"call_id": call_id, "transfer_id": transfer_id, "queue": queue, **values, **answered}
    if await insert_new(conn, transfers, new_row):
        status = new_fact_status(unknown, row_was_unknown=True)
    else:
        written = await set_once(conn, transfers, key, values, guard=column)
        if not written.applied:
            if fields := differing(written.stored, values, ("agent",) if agent is not None else ()):
                return await conflict(conn, call_id, f"transfer_{stage}", written.stored, values, fields, at)
            return WriteResult(WriteStatus.DUPLICATE, call_id)
        if answered:
            await conn.execute(update(transfers).where(key, transfers.c.result.is_(None)).values(**answered))
        if queue is not None:
            await conn.execute(update(transfers).where(key, transfers.c.queue.is_(None)).values(queue=queue))
        status = WriteStatus.RECORDED
    await _refresh_derived(conn, call_id, transfer_id)
    return WriteResult(status, call_id)


async def finished(
    conn: AsyncConnection, call_id: str, transfer_id: str, result: TransferResult, at: dt.datetime
) -> WriteResult:
    unknown = await ensure_call(conn, call_id)
    values = {"result": TransferResult(result).value, "result_at": at}
    if await insert_new(conn, transfers, {"call_id": call_id, "transfer_id": transfer_id, **values}):
        await _refresh_derived(conn, call_id, transfer_id)
        return WriteResult(new_fact_status(unknown, row_was_unknown=True), call_id)
    written = await set_once(conn, transfers, _key(call_id, transfer_id), values, guard="result")
    if written.applied:
        return WriteResult(WriteStatus.RECORDED, call_id)
    if fields := differing(written.stored, values, ("result",)):
        return await conflict(conn, call_id, "transfer_result", written.stored, values, fields, at)
    return WriteResult(WriteStatus.DUPLICATE, call_id)
