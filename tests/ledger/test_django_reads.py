"""End to end on one shared database: Django migrates its tables, Alembic the ledger's,
pbx's writer writes, and Django's unmanaged models and read-only admin read it back.

Django runs in subprocesses (`manage.py` with ``CC_VAR_DIR``) so it uses the real file,
exactly like the running stack, not pytest-django's throwaway test database. With
``LEDGER_TEST_DATABASE_URL`` set (see conftest.py) the shared database is that PostgreSQL
one, named to every process as Django's ``DATABASE_URL``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from contactcenter.site.config import REPO_DIR
from pbx.ledger import (
    CallOutcome,
    CallStart,
    DecisionRecord,
    Direction,
    LedgerWriter,
    LegKind,
    LegStart,
    Speaker,
    TransferRequest,
    TransferStage,
    UtteranceRecord,
    create_engine_from_env,
)
from pbx.ledger.db import make_engine
from pbx.ledger.records import SupervisorActionRecord
from pbx.ledger.schema import VERSION_TABLE, metadata
from tests.ledger.conftest import POSTGRES_URL, T0, at
from tests.ledger.test_migrations import alembic, ok

CALL = "0b9c7e52-5a7d-4f0e-9d43-7a1f2c3b4d5e"

READ_BACK = """
import json
from django.contrib.auth.models import User
from django.test import Client
from contactcenter.ledger.models import Call, Decision, Event, Leg, Recording, SupervisorAction, Transfer, Utterance

call = Call.objects.get()
out = {
    "counts": {m.__name__: m.objects.count()
               for m in (Call, Leg, Event, Utterance, Decision, Transfer, Recording, SupervisorAction)},
    "call": [call.id, call.direction, call.outcome, call.get_outcome_display(), call.escalated,
             call.final_queue, call.agent, call.started_at.isoformat(), call.duration_s],
    "events": list(call.events.values_list("seq", "type")),
    "payload": call.events.get(seq=1).payload,
    "utterances": list(call.utterances.values_list("speaker", "text")),
    "signals": call.decisions.get().signals,
    "latency_ms": call.transfers.get().decision_to_queue_ms,
}
client = Client()
client.force_login(User.objects.get_or_create(username="ledger-admin", is_staff=True, is_superuser=True)[0])
pages = {}
for name, url in [("calls", "/admin/ledger/call/"), ("call", f"/admin/ledger/call/{call.id}/change/"),
                  ("events", "/admin/ledger/event/"), ("utterances", "/admin/ledger/utterance/"),
                  ("transfers", "/admin/ledger/transfer/"), ("add", "/admin/ledger/call/add/")]:
    response = client.get(url)
    pages[name] = [response.status_code, call.id in response.content.decode()]
response = client.get("/admin/ledger/supervisoraction/")
pages["supervisor_actions"] = [response.status_code, "supervisor-jane" in response.content.decode()]
pages["edit"] = client.post(f"/admin/ledger/call/{call.id}/change/", {"outcome": "rejected"}).status_code
pages["delete"] = client.post(f"/admin/ledger/call/{call.id}/delete/", {"post": "yes"}).status_code
out["pages"] = pages
out["after_attempts"] = Call.objects.get().outcome
print("RESULT " + json.dumps(out))
"""


async def shared_database(var_dir: Path) -> dict[str, str]:
    """The environment every process gets: only the variables the stack itself would set."""
    if POSTGRES_URL is None:
        return {"CC_VAR_DIR": str(var_dir)}
    engine = make_engine(POSTGRES_URL)  # start from no ledger tables, as on a fresh install
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.exec_driver_sql(f"DROP TABLE IF EXISTS {VERSION_TABLE}")
    await engine.dispose()
    return {"CC_VAR_DIR": str(var_dir), "DATABASE_URL": "postgres://" + POSTGRES_URL.split("://", 1)[1]}


def manage(db_env: dict[str, str], *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LEDGER_DATABASE_URL")}
    env |= db_env | {"DJANGO_ALLOWED_HOSTS": "testserver"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


async def write_one_escalated_call(db_env: dict[str, str]) -> None:
    engine = create_engine_from_env(db_env)
    writer = LedgerWriter(engine)
    try:
        await writer.call_started(
            CallStart(
                CALL,
                Direction.OUTBOUND,
                T0,
                campaign_id=3,
                lead_id=42,
                flow_name="order_confirmation",
                policy_version="p1",
            )
        )
        await writer.append_event(CALL, "call.started", {"args": ["outbound"]}, at=T0)
        await writer.leg_started(LegStart(CALL, "chan-1", LegKind.CUSTOMER, at(5)))
        await writer.call_answered(CALL, at=at(900))
        await writer.add_utterance(
            UtteranceRecord(
                CALL, "u1", Speaker.BOT, "Hi, calling about your order", start_ms=1_000, end_ms=2_500
            )
        )
        await writer.add_utterance(
            UtteranceRecord(
                CALL,
                "u2",
                Speaker.CUSTOMER,
                "this is the third time!",
                start_ms=3_000,
                end_ms=4_200,
                sentiment=-0.8,
            )
        )
        await writer.add_decision(
            DecisionRecord(
                CALL, "d1", 1, True, "anger", 0.92, at(4_300), queue="support", signals={"sentiment": -0.8}
            )
        )
        await writer.append_event(CALL, "voicewatch.decision", {"escalate": True}, at=at(4_300))
        await writer.transfer_requested(TransferRequest(CALL, "t1", "support", at(4_350), decision_id="d1"))
        await writer.transfer_progress(CALL, "t1", TransferStage.QUEUE_JOINED, at=at(5_100))
        await writer.transfer_progress(
            CALL, "t1", TransferStage.AGENT_CONNECTED, at=at(9_000), agent="agent1"
        )
        await writer.call_ended(CALL, CallOutcome.ESCALATED, "Normal Clearing", at=at(95_000))
        await writer.supervisor_acted(SupervisorActionRecord("e-1", at(6_000), "listen", "supervisor-jane", True,
                                                             call_id=CALL, phone="sup1"))  # fmt: skip
    finally:
        await engine.dispose()


async def test_django_reads_what_pbx_wrote(tmp_path: Path) -> None:
    db_env = await shared_database(tmp_path)
    manage(db_env, "migrate", "--noinput", "-v", "0")
    ok(alembic("upgrade", "head", **db_env))
    # With Django's real tables in the same database, Alembic still sees only its own.
    assert "No new upgrade operations detected" in ok(alembic("check", **db_env))
    await write_one_escalated_call(db_env)

    line = next(x for x in manage(db_env, "shell", "-c", READ_BACK).splitlines() if x.startswith("RESULT "))
    out = json.loads(line.removeprefix("RESULT "))

    assert out["counts"] == {
        "Call": 1,
        "Leg": 1,
        "Event": 2,
        "Utterance": 2,
        "Decision": 1,
        "Transfer": 1,
        "Recording": 0,
        "SupervisorAction": 1,
    }
    assert out["call"] == [
        CALL,
        "outbound",
        "escalated",
        "Escalated",
        True,
        "support",
        "agent1",
        T0.isoformat(),
        95.0,
    ]
    assert out["events"] == [[1, "call.started"], [2, "voicewatch.decision"]]
    assert out["payload"] == {"args": ["outbound"]}
    assert out["utterances"] == [
        ["bot", "Hi, calling about your order"],
        ["customer", "this is the third time!"],
    ]
    assert out["signals"] == {"sentiment": -0.8}
    assert out["latency_ms"] == 800
    pages = out["pages"]
    for name in ("calls", "call", "events", "utterances", "transfers", "supervisor_actions"):
        assert pages[name] == [200, True], (name, pages[name])
    assert pages["add"][0] == 403
    assert (pages["edit"], pages["delete"]) == (403, 403)
    assert out["after_attempts"] == "escalated"
