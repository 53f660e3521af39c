"""A supervisor's actions in the ledger: one row per ``supervisor.action`` (who, what, on which
call or agent, done or not), the supervisor's phone as the call's snoop leg, and nothing made up
for a call pbx refused to act on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from pbx.api import CallStarted, SupervisorActed
from pbx.bus.ledger_sink import write_event
from pbx.ledger import LedgerWriter
from pbx.ledger.enums import WriteStatus
from pbx.ledger.records import SupervisorActionRecord
from pbx.ledger.schema import Call, Event, Leg, SupervisorActionRow
from tests.ledger.conftest import at
from tests.ledger.helpers import one, rows

T = 1_790_000_000.0


async def test_each_action_is_a_row_with_who_did_it_and_the_phone_is_a_snoop_leg(engine: AsyncEngine) -> None:
    writer = LedgerWriter(engine)
    common = {"call_id": "c1", "supervisor": "boss", "phone": "sup1", "leg": "supervisor-1"}
    for event in (
        CallStarted(call_id="c1", at=T, direction="outbound", endpoint="PJSIP/x@trunk"),
        SupervisorActed(**common, at=T + 5, action="listen", detail="snoop on the customer's channel"),
        SupervisorActed(**common, at=T + 9, action="barge", agent="agent1"),
        SupervisorActed(**common, at=T + 12, action="stop", detail="stopped by boss"),
        SupervisorActed(at=T + 20, action="pause_agent", supervisor="boss", agent="agent1", detail="coaching"),
    ):
        async with writer.transaction() as w:
            await write_event(w, event)
    actions = await rows(engine, SupervisorActionRow)
    assert [(a.action, a.supervisor, a.call_id, a.agent, a.ok) for a in actions] == [
        ("listen", "boss", "c1", None, True), ("barge", "boss", "c1", "agent1", True),
        ("stop", "boss", "c1", None, True), ("pause_agent", "boss", None, "agent1", True),
    ]  # fmt: skip
    assert actions[0].phone == "sup1" and actions[3].detail == "coaching"
    leg = await one(engine, Leg, call_id="c1")
    assert (leg.channel_id, leg.kind, leg.endpoint) == ("supervisor-1", "snoop", "PJSIP/sup1")
    assert (leg.started_at, leg.ended_at) == (dt.datetime.fromtimestamp(T + 5, dt.UTC),
                                              dt.datetime.fromtimestamp(T + 12, dt.UTC))  # fmt: skip
    # On the call's timeline too, in order.
    timeline = [e.type for e in await rows(engine, Event, call_id="c1")]
    assert timeline == ["call.started", "supervisor.action", "supervisor.action", "supervisor.action"]


async def test_a_redelivered_action_is_stored_once(engine: AsyncEngine) -> None:
    writer = LedgerWriter(engine)
    record = SupervisorActionRecord(event_id="e1", at=at(0), action="takeover", supervisor="boss", ok=True,
                                    call_id="c1", detail="to phone sup1")  # fmt: skip
    assert (await writer.supervisor_acted(record)).status is WriteStatus.RECORDED
    assert (await writer.supervisor_acted(record)).status is WriteStatus.DUPLICATE
    assert len(await rows(engine, SupervisorActionRow)) == 1


async def test_a_refused_action_on_an_unknown_call_makes_no_call_row(engine: AsyncEngine) -> None:
    writer = LedgerWriter(engine)
    async with writer.transaction() as w:
        await write_event(w, SupervisorActed(call_id="stale-page", at=T, action="listen", supervisor="boss", ok=False,
                                             detail="no live call stale-page"))  # fmt: skip
    action = await one(engine, SupervisorActionRow)
    assert (action.call_id, action.ok, action.detail) == ("stale-page", False, "no live call stale-page")
    assert await rows(engine, Call) == [] and await rows(engine, Event) == []
