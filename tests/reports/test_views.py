"""The reports' page, CSV and API: who may ask, bad ranges, formula-safe CSV, and the fixed day
(tests/reports/eventlog.py) written into the ledger by pbx's own writer, read back as the
hand-computed figures of test_figures.py.

The ledger's tables are made by its SQLAlchemy metadata in the test database (Alembic's
schema, which test_migrations.py checks against it), and pbx's writer (``write_event``, the
ledger sink's) writes the events through SQLAlchemy, on its own connection, as on a real site.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from contactcenter.campaigns.models import Campaign
from contactcenter.people.models import Agent, HumanQueue
from contactcenter.people.roles import Role, set_role
from contactcenter.reports.models import AgentStateChange
from pbx.bus.ledger_sink import write_event
from pbx.ledger.batch import ImmediateConnection, run_to_end
from pbx.ledger.schema import metadata
from pbx.ledger.writer import LedgerWriter
from tests.reports.eventlog import Call, at, fixed_log, fixed_states

pytestmark = pytest.mark.django_db(transaction=True)  # the ledger writer's own connection sees committed rows

DAY1 = {"from": "2026-03-02", "to": "2026-03-02"}


@pytest.fixture(autouse=True)
def utc(settings) -> None:
    settings.TIME_ZONE = "UTC"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ledger(transactional_db) -> Iterator[sa.Engine]:
    name = connection.settings_dict["NAME"]
    assert connection.vendor == "sqlite" and "mode=memory" in name, "for pytest-django's shared SQLite"
    engine = sa.create_engine(f"sqlite:///{name}&uri=true")
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def write(engine: sa.Engine, events) -> None:
    """pbx's ledger sink writing these events, all in one transaction."""
    with engine.begin() as conn:
        writer = LedgerWriter.bound(ImmediateConnection(conn))  # type: ignore[arg-type]
        for event in events:
            run_to_end(write_event(writer, event))


def states() -> None:
    for change in fixed_states():
        AgentStateChange.objects.create(agent_id=0, agent=change.agent, state=change.state,
                                        reason=change.reason, at=dt.datetime.fromtimestamp(change.at, dt.UTC))


def client_as(role: Role | None) -> Client:
    client = Client()
    if role is not None:
        user = get_user_model().objects.create_user(f"{role}-{uuid.uuid4().hex[:6]}", password="x" * 12)
        set_role(user, role)
        client.force_login(user)
    return client


def test_who_may_see_reports(ledger) -> None:
    urls = ["/reports/", "/reports/export.csv", "/api/reports/"]
    for url in urls:
        anonymous = client_as(None).get(url)
        if url.startswith("/api/"):
            assert anonymous.status_code == 403
        else:
            assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/?next=")
        assert client_as(Role.AGENT).get(url).status_code == 403
        assert client_as(Role.SUPERVISOR).get(url).status_code == 200
        assert client_as(Role.ADMIN).get(url).status_code == 200
    assert client_as(Role.SUPERVISOR).post("/reports/").status_code == 405
    home = client_as(Role.SUPERVISOR).get("/").content.decode()
    assert 'href="/reports/"' in home
    assert 'href="/reports/"' not in client_as(Role.AGENT).get("/").content.decode()


def test_a_bad_range_is_refused_with_a_clear_error(ledger) -> None:
    supervisor = client_as(Role.SUPERVISOR)
    page = supervisor.get("/reports/", {"from": "2026-03-05", "to": "2026-03-01"})
    assert page.status_code == 400
    assert "the range starts (2026-03-05) after it ends (2026-03-01)" in page.content.decode()
    api = supervisor.get("/api/reports/", {"from": "2025-01-01", "to": "2026-03-02"})
    assert api.status_code == 400
    assert api.json() == {"to": "a report covers at most 366 days; this range has 426"}
    bad = supervisor.get("/api/reports/", {"from": "yesterday", "group": "planet"})
    assert bad.status_code == 400 and set(bad.json()) == {"from", "group"}
    assert "YYYY-MM-DD" in bad.json()["from"]
    assert supervisor.get("/reports/export.csv", {"to": "2026-02-30"}).status_code == 400
    # 366 days is allowed.
    assert supervisor.get("/api/reports/", {"from": "2025-03-02", "to": "2026-03-02"}).status_code == 200


def test_csv_cells_a_spreadsheet_would_run_are_prefixed(ledger) -> None:
    queue, _ = HumanQueue.objects.get_or_create(name="support")
    campaign = Campaign.objects.create(name='=HYPERLINK("http://evil.example","x")',
                                       type="order_confirmation", escalation_queue=queue)  # fmt: skip
    call = Call(str(uuid.uuid4()), at(9, 0)).started(campaign=campaign.pk).answered(3).ended(30, "confirmed")
    write(ledger, call.events)
    response = client_as(Role.SUPERVISOR).get("/reports/export.csv", {**DAY1, "group": "campaign"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    header, row, total = list(csv.reader(io.StringIO(text)))
    assert header[:4] == ["campaign", "label", "calls", "answered"]
    assert row[:4] == [str(campaign.pk), '\'=HYPERLINK("http://evil.example","x")', "1", "1"]
    assert total[:3] == ["", "total", "1"]
    page = client_as(Role.SUPERVISOR).get("/reports/", {**DAY1, "group": "campaign"}).content.decode()
    assert '=HYPERLINK("http' not in page  # escaped in the table and the chart alike
    assert page.count("=HYPERLINK(&quot;http://evil") == 5  # the table's cell and 4 charts' (cut) labels


def test_the_fixed_day_from_the_ledger_is_the_hand_computed_report(ledger) -> None:
    log = fixed_log()
    write(ledger, log)
    write(ledger, log[:20])  # redelivered: the ledger keeps one of each
    states()
    supervisor = client_as(Role.SUPERVISOR)
    body = supervisor.get("/api/reports/", {**DAY1, "group": "queue"}).json()
    assert body["count"] == 2 and body["group"] == "queue" and body["from"] == body["to"] == "2026-03-02"
    rows = {r["key"]: r for r in body["results"]}
    # support: 7 passages, 4 answered (12, 30, 6, 10 s) → 3 of 6 counted within 20 s; one short abandon.
    support = rows["support"]
    assert (support["offered"], support["answered_by_agent"], support["short_abandons"]) == (7, 4, 1)
    assert support["service_level"] == 0.5 and support["escalations"] == 5 and support["asa_s"] == 14.5
    assert support["occupancy"] is None
    billing = rows["billing"]
    assert (billing["offered"], billing["transferred"], billing["aht_s"]) == (2, 1, 70.0)
    # The day's total, as test_figures.py sums it by hand.
    total = body["total"]
    assert (total["calls"], total["ai_calls"], total["bot_completed"]) == (9, 8, 2)
    assert total["containment"] == 0.25
    assert total["outcomes"] == {"escalated": 4, "abandoned": 2, "confirmed": 2, "no_answer": 1}
    assert total["escalation_reasons"] == {"anger": 4, "ambiguity": 1, "dispute_fraud": 1, "human_request": 1}
    assert (total["escalation_latency_p50_s"], total["escalation_latency_p95_s"]) == (3.0, 6.0)
    assert (total["offered"], total["abandoned"], total["short_abandons"]) == (9, 1, 1)
    assert (total["abandon_rate"], total["service_level"]) == (0.125, 0.5)
    assert (total["asa_s"], total["wait_s"], total["wait_p95_s"]) == (13.6, 23.5, 60.0)
    assert (total["handled"], total["aht_s"], total["wrap_up_s"]) == (5, 147.8, 120.0)
    assert total["occupancy"] == round(519 / 16_800, 4) and total["calls_per_agent"] == 2.5
    # By agent, with occupancy from the state history; by day, the midnight call stays on the 2nd.
    by_agent = supervisor.get("/api/reports/", {**DAY1, "group": "agent"}).json()["results"]
    agents = {r["key"]: r for r in by_agent}
    assert agents["agent1"]["handled"] == 4 and agents["agent1"]["occupancy"] == round(449 / 11_400, 4)
    assert agents["agent2"]["agent_seconds_by_state"]["paused"] == 1800.0
    days = supervisor.get("/api/reports/", {"from": "2026-03-02", "to": "2026-03-03", "group": "day"}).json()
    assert [(r["key"], r["calls"], r["occupancy"]) for r in days["results"]] == [
        ("2026-03-02", 9, round(519 / 16_800, 4)), ("2026-03-03", 0, round(220 / 600, 4))]
    # The page shows the same figures, and its charts.
    page = supervisor.get("/reports/", {**DAY1, "group": "queue"}).content.decode()
    assert "<td>support</td>" in page and "50.0%" in page and "147.8 s" in page and "<svg" in page
    # Paged like the other lists.
    paged = supervisor.get("/api/reports/", {**DAY1, "group": "queue", "page_size": 1}).json()
    assert paged["count"] == 2 and len(paged["results"]) == 1 and paged["next"]


def test_the_agents_table_keeps_its_state_history(ledger) -> None:
    agent = Agent.objects.create(name="hist1", state="offline")
    moved = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    # A bulk update, as pbx's phone events and reservations do: no Django signal, still a row.
    Agent.objects.filter(pk=agent.pk).update(state="available", state_changed_at=moved)
    agent.refresh_from_db()
    agent.state, agent.pause_reason = "paused", "Lunch"
    agent.save()  # state_changed_at left as it was: the database's clock dates it
    Agent.objects.filter(pk=agent.pk).update(display_name="Hist")  # not a state change
    rows = list(AgentStateChange.objects.filter(agent="hist1").order_by("id"))
    assert [(r.state, r.reason) for r in rows] == [("offline", ""), ("available", ""), ("paused", "Lunch")]
    assert rows[1].at == moved and rows[2].at > moved
