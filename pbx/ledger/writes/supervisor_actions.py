"""Supervisors' actions, one row per ``supervisor.action`` event (keyed by its id)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from pbx.api.vocabulary import SupervisorAction
from pbx.ledger.enums import WriteStatus
from pbx.ledger.records import SupervisorActionRecord, WriteResult
from pbx.ledger.schema import SupervisorActionRow
from pbx.ledger.writes.common import insert_new

supervisor_actions: Table = SupervisorActionRow.__table__  # type: ignore[assignment]


async def recorded(conn: AsyncConnection, rec: SupervisorActionRecord) -> WriteResult:
    values = {**asdict(rec), "action": SupervisorAction(rec.action).value}
    inserted = await insert_new(conn, supervisor_actions, values)
    return WriteResult(WriteStatus.RECORDED if inserted else WriteStatus.DUPLICATE, rec.call_id or "")
