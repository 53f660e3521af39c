"""The append-only timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from pbx.ledger.enums import WriteStatus
from pbx.ledger.records import WriteResult
from pbx.ledger.writes.common import append_event_row, ensure_call, new_fact_status

MAX_TYPE_LENGTH = 64


async def append(
    conn: AsyncConnection,
    call_id: str,
    type_: str,
    payload: Mapping[str, Any],
    at: dt.datetime,
    dedup_key: str | None,
) -> WriteResult:
    if not type_ or len(type_) > MAX_TYPE_LENGTH:
        raise ValueError(f"event type must be 1..{MAX_TYPE_LENGTH} characters, got {type_!r}")
    unknown = await ensure_call(conn, call_id)
    seq, duplicate = await append_event_row(conn, call_id, type_, payload, at, dedup_key)
    if duplicate:
        return WriteResult(WriteStatus.DUPLICATE, call_id, seq=seq, detail=f"dedup key {dedup_key!r}")
    return WriteResult(new_fact_status(unknown), call_id, seq=seq)
