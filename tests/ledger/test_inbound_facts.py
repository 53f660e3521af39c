"""An inbound caller's facts in the ledger: their number, and an after-hours voicemail as the call's recording."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from pbx.api import CallEnded, CallStarted, VoicemailLeft
from pbx.bus.ledger_sink import write_event
from pbx.ledger import LedgerWriter
from pbx.ledger.schema import Call, Recording

T = 1_790_000_000.0


async def test_the_caller_and_the_voicemail_are_found_by_the_call(engine: AsyncEngine) -> None:
    writer = LedgerWriter(engine)
    path = "/srv/cc/spool/voicemail/in-1.wav"
    for event in (
        CallStarted(call_id="in-1", at=T, direction="inbound", endpoint="5551234", caller="+919800000009"),
        VoicemailLeft(call_id="in-1", at=T + 20, caller="+919800000009", did="5551234", path=path),
        CallEnded(call_id="in-1", at=T + 20, outcome="after_hours", detail="voicemail (closed)"),
    ):
        await write_event(writer, event)
    async with engine.connect() as conn:
        call = (await conn.execute(select(Call.caller_number, Call.called_number, Call.outcome))).one()
        recording = (await conn.execute(select(Recording.name, Recording.path, Recording.format))).one()
    assert tuple(call) == ("+919800000009", "5551234", "after_hours")
    assert tuple(recording) == ("voicemail", path, "wav")
