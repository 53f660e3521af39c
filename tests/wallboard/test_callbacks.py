"""The "Call back" button's endpoint: supervisors and admins only, CSRF like every POST, the
number from our own records (a campaign's lead, or the ledger's inbound caller), checked."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from contactcenter.campaigns.models import AttemptStatus, CallAttempt, Campaign, Lead, LeadStatus
from contactcenter.ledger.models import Call
from contactcenter.people.models import DoNotCall, HumanQueue
from contactcenter.people.roles import Role, set_role
from contactcenter.telephony.models import InboundRoute
from contactcenter.wallboard.callbacks import CALLBACK_REASON, call_back

ALWAYS = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "23:59"}]
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday, 15:30 in Kolkata


@pytest.fixture(autouse=True)
def quick_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ledger_calls(transactional_db) -> Iterator[None]:
    """The ledger's calls table (Alembic makes it on a real site; unmanaged here, so made by hand)."""
    with connection.schema_editor() as editor:
        editor.create_model(Call)
    yield
    with connection.schema_editor() as editor:
        editor.delete_model(Call)


def campaign(name: str = "Orders", **fields) -> Campaign:
    queue, _ = HumanQueue.objects.get_or_create(name="support")
    fields = {"status": "running", **fields}
    return Campaign.objects.create(name=name, type="order_confirmation", escalation_queue=queue,
                                   calling_windows=ALWAYS, **fields)  # fmt: skip


def abandoned_lead(phone: str = "+919800000001", status: str = LeadStatus.DONE, attempts: int = 1,
                   made_at: dt.datetime = NOW - dt.timedelta(hours=2), **fields) -> tuple[Lead, str]:  # fmt: skip
    """A lead whose last call was escalated and abandoned in the queue; its call id."""
    c = fields.pop("campaign", None) or campaign()
    lead = Lead.objects.create(campaign=c, phone=phone, time_zones=["Asia/Kolkata"], status=status,
                               attempts=attempts, outcome="escalated",
                               completed_at=NOW - dt.timedelta(hours=1))  # fmt: skip
    call_id = str(uuid.uuid4())
    for n in range(1, attempts + 1):
        this_call = call_id if n == attempts else str(uuid.uuid4())
        CallAttempt.objects.create(campaign=c, lead=lead, number=n, call_id=this_call,
                                   command_id=str(uuid.uuid4()), dial_mode="ai_first", endpoint="PJSIP/x@trunk",
                                   status=AttemptStatus.ENDED, created_at=made_at, abandoned=True)  # fmt: skip
    return lead, call_id


def user(django_user_model, role: Role | None, name: str | None = None):
    u = django_user_model.objects.create_user(name or f"u-{uuid.uuid4().hex[:6]}", password="x" * 12)
    if role is not None:
        set_role(u, role)
    return u


def post(client: Client, body: object, **extra):
    return client.post("/wallboard/callbacks/", json.dumps(body), content_type="application/json", **extra)


@pytest.mark.django_db
def test_a_campaign_lead_is_due_again_now(django_user_model) -> None:
    lead, call_id = abandoned_lead()
    result = call_back(call_id, "boss", NOW)
    assert (result.outcome, result.lead_id, result.detail) == ("scheduled", lead.pk, "due now")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.PENDING and lead.next_attempt_at == NOW and lead.completed_at is None
    assert lead.not_before_reason == CALLBACK_REASON and lead.outcome == "escalated"
    assert lead.outcome_detail == "call back asked by boss on the wallboard"


@pytest.mark.django_db
def test_what_the_dialer_would_refuse_is_refused_and_what_must_wait_says_until_when() -> None:
    on_dnc, dnc_call = abandoned_lead("+919800000002")
    DoNotCall.objects.create(phone=on_dnc.phone)
    spent, spent_call = abandoned_lead("+919800000003", attempts=3, campaign=campaign("Spent"))
    dialing, dialing_call = abandoned_lead("+919800000004", status=LeadStatus.DIALING, campaign=campaign("Busy"))
    # Stored without the model's validation (an old import): never dialled.
    bad, bad_call = abandoned_lead("12345", campaign=campaign("Bad"))
    answers = {call: call_back(call, "boss", NOW) for call in (dnc_call, spent_call, dialing_call, bad_call)}
    assert [(a.outcome, a.detail) for a in answers.values()] == [
        ("refused", "the dialer would not call: do_not_call"), ("refused", "the dialer would not call: max_attempts"),
        ("busy", "the lead is being called now"), ("invalid_number", "the lead's number is not a valid E.164 number"),
    ]  # fmt: skip
    for lead in (on_dnc, spent, dialing, bad):
        before = lead.status
        lead.refresh_from_db()
        assert lead.status == before and lead.not_before_reason == ""

    # Called 15 minutes ago: scheduled, and the dialer keeps its 30-minute gap.
    recent, recent_call = abandoned_lead("+919800000005", made_at=NOW - dt.timedelta(minutes=15),
                                         campaign=campaign("Recent", status="paused"))  # fmt: skip
    result = call_back(recent_call, "boss", NOW)
    assert result.ok and result.waits_until == NOW + dt.timedelta(minutes=15)
    assert result.detail == ("due now; the dialer waits (min_gap) until 2026-03-02 10:15 UTC; "
                             "campaign 'Recent' is paused: dialled when it runs")  # fmt: skip


def ledger_call(caller: str, did: str = "+918000100100", campaign_id: int | None = None) -> str:
    call_id = str(uuid.uuid4())
    Call.objects.create(id=call_id, provisional=False, direction="inbound", caller_number=caller, called_number=did,
                        campaign_id=campaign_id, escalated=True, event_seq=5, created_at=NOW, updated_at=NOW)  # fmt: skip
    return call_id


def test_an_inbound_caller_becomes_a_callback_request_in_the_routes_campaign(ledger_calls) -> None:
    c = campaign()
    InboundRoute.objects.create(did="+918000100100", target="flow", campaign=c)
    result = call_back(ledger_call("+14155550100"), "boss", NOW)
    lead = Lead.objects.get(campaign=c, phone="+14155550100")
    assert (result.outcome, result.lead_id, result.campaign_id) == ("scheduled", lead.pk, c.pk)
    assert lead.status == LeadStatus.PENDING and lead.next_attempt_at == NOW

    # A caller ID that is not a number, a route without a campaign, a call we have no record of.
    assert call_back(ledger_call("anonymous"), "boss", NOW).outcome == "invalid_number"
    assert call_back(ledger_call("+14155550101", did="+918000100199"), "boss", NOW).outcome == "no_campaign"
    assert call_back(str(uuid.uuid4()), "boss", NOW).outcome == "unknown_call"
    assert list(Lead.objects.values_list("phone", flat=True)) == ["+14155550100"]


def test_the_endpoint_is_for_managers_with_the_csrf_token(ledger_calls, django_user_model) -> None:
    lead, call_id = abandoned_lead()
    assert post(Client(), {"key": call_id}).status_code == 403  # anonymous
    agent = Client()
    agent.force_login(user(django_user_model, Role.AGENT))
    assert post(agent, {"key": call_id}).status_code == 403

    boss = Client(enforce_csrf_checks=True)
    boss.force_login(user(django_user_model, Role.SUPERVISOR, "boss"))
    assert post(boss, {"key": call_id}).status_code == 403  # no CSRF token
    page = boss.get("/wallboard/")
    token = page.context["page"]["csrf_token"]
    assert token and page.context["page"]["callbacks_url"] == "/wallboard/callbacks/"
    for body in ({}, {"key": ""}, {"key": 7}, {"key": "x" * 129}, [call_id]):
        assert post(boss, body, HTTP_X_CSRFTOKEN=token).status_code == 400
    response = post(boss, {"key": call_id}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "outcome": "scheduled", "detail": "due now", "lead_id": lead.pk,
                               "campaign_id": lead.campaign_id, "waits_until": None}  # fmt: skip
    lead.refresh_from_db()
    assert lead.status == LeadStatus.PENDING and abs(lead.next_attempt_at - timezone.now()) < dt.timedelta(seconds=30)
    assert lead.outcome_detail == "call back asked by boss on the wallboard"
    assert post(boss, {"key": str(uuid.uuid4())}, HTTP_X_CSRFTOKEN=token).status_code == 404
