"""REST API and admin: campaigns, import, start/pause/stop, leads, DNC, results, OpenAPI docs."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contactcenter.campaigns.models import Campaign, ImportBatch, Lead
from contactcenter.people.models import DoNotCall
from tests.campaigns.test_imports import CSV

pytestmark = pytest.mark.django_db


def campaign_body(**kw) -> dict:
    return {"name": "Diwali orders", "type": "order_confirmation", "escalation_queue": "support",
            "dial_mode": "ai_first", "max_concurrent_calls": 6,
            "calling_windows": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat"], "start": "10:00", "end": "19:00"}],
            "retry_minutes": {"no_answer": 90, "busy": 20, "callback": 1440}, "caller_id": "+911800100100",
            "policy": {"name": "orders", "version": "3"}, "webhook_url": "https://crm.example.test/hook", **kw}  # fmt: skip


def test_the_api_needs_a_login(client) -> None:
    assert client.get("/api/campaigns/").status_code == 403


def test_campaign_lifecycle_import_and_results(admin_client, queue) -> None:
    created = admin_client.post("/api/campaigns/", campaign_body(), content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["flow_name"] == "order_confirmation" and body["status"] == "draft"
    assert "webhook_secret" not in body
    pk = body["id"]

    upload = SimpleUploadedFile("leads.csv", CSV.encode(), content_type="text/csv")
    imported = admin_client.post(f"/api/campaigns/{pk}/imports/", {"file": upload, "list_name": "March"})
    assert imported.status_code == 201, imported.json()
    assert (imported.json()["imported"], imported.json()["invalid"], imported.json()["duplicates"]) == (4, 3, 1)
    batch = ImportBatch.objects.get()
    report = admin_client.get(f"/api/imports/{batch.pk}/errors.csv")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    assert [r["row"] for r in csv.DictReader(io.StringIO(report.content.decode()))] == ["4", "5", "6", "9"]

    assert admin_client.post(f"/api/campaigns/{pk}/pause/").status_code == 409  # not running yet
    started = admin_client.post(f"/api/campaigns/{pk}/start/")
    assert started.status_code == 200 and started.json()["status"] == "running"
    assert admin_client.post(f"/api/campaigns/{pk}/pause/").json()["status"] == "paused"
    assert admin_client.post(f"/api/campaigns/{pk}/stop/").json()["status"] == "stopped"

    progress = admin_client.get(f"/api/campaigns/{pk}/progress/").json()
    assert progress["leads"] == {"pending": 4}
    leads = admin_client.get(f"/api/leads/?campaign={pk}&status=pending").json()
    assert len(leads["results"] if isinstance(leads, dict) else leads) == 4
    results = admin_client.get(f"/api/campaigns/{pk}/export.csv")
    rows = list(csv.DictReader(io.StringIO(results.content.decode())))
    assert len(rows) == 4 and {"order_id", "item", "amount"} <= set(rows[0])
    page = admin_client.get(f"/api/campaigns/{pk}/results/").json()
    assert page["count"] == 4 and len(page["results"]) == 4


def test_campaign_validation_names_the_field(admin_client, queue) -> None:
    bad = admin_client.post("/api/campaigns/", campaign_body(calling_windows=[{"days": [9], "start": "10:00",
                                                                               "end": "19:00"}]),
                            content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "windows[0].days" in str(bad.json()["calling_windows"])
    bad = admin_client.post("/api/campaigns/", campaign_body(policy={"reasons": {"anger": {"treshold": 1}}}),
                            content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "policy" in bad.json()
    bad = admin_client.post("/api/campaigns/", campaign_body(flow="unknown_flow"), content_type="application/json")
    assert bad.status_code == 400 and "flow" in bad.json()
    assert Campaign.objects.count() == 0


def test_leads_and_dnc(admin_client, make_campaign) -> None:
    campaign = make_campaign()
    body = {"campaign": campaign.pk, "phone": "098000 00001", "first_name": "Asha",
            "fields": {"order_id": "A1", "item": "a bottle", "amount": "499"}}  # fmt: skip
    made = admin_client.post("/api/leads/", body, content_type="application/json")
    assert made.status_code == 201, made.json()
    assert made.json()["phone"] == "+919800000001" and made.json()["time_zones"] == ["Asia/Calcutta"]
    again = admin_client.post("/api/leads/", body, content_type="application/json")
    assert again.status_code == 400 and "phone" in again.json()
    bad = admin_client.post("/api/leads/", {**body, "phone": "12"}, content_type="application/json")
    assert bad.status_code == 400
    dnc = admin_client.post("/api/dnc/", {"phone": "+91 98000 00001", "reason": "complaint"},
                            content_type="application/json")  # fmt: skip
    assert dnc.status_code == 201 and dnc.json()["phone"] == "+919800000001"
    assert DoNotCall.objects.get().source == "api"
    assert Lead.objects.count() == 1


def test_openapi_schema_and_docs(admin_client) -> None:
    schema = admin_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for expected in ("/api/campaigns/", "/api/campaigns/{id}/start/", "/api/campaigns/{id}/imports/",
                     "/api/campaigns/{id}/export.csv/", "/api/imports/{id}/errors.csv/", "/api/leads/{id}/dial/",
                     "/api/attempts/{id}/disposition/", "/api/dnc/"):  # fmt: skip
        assert expected in paths, expected
    docs = admin_client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_admin_upload_and_pages(admin_client, make_campaign) -> None:
    campaign = make_campaign()
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    assert page.status_code == 200 and b"Import leads" in page.content
    upload = SimpleUploadedFile("leads.csv", CSV.encode(), content_type="text/csv")
    response = admin_client.post(f"/admin/campaigns/campaign/{campaign.pk}/import/", {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/importbatch/{batch.pk}/change/")
    assert b"Error report" in admin_client.get(response["Location"]).content
    assert admin_client.get(f"/admin/campaigns/importbatch/{batch.pk}/errors.csv").status_code == 200
    assert admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/results.csv").status_code == 200
    for model in ("campaigns/lead", "campaigns/callattempt", "campaigns/webhookdelivery", "campaigns/disposition",
                  "people/donotcall", "people/agent", "people/humanqueue"):  # fmt: skip
        assert admin_client.get(f"/admin/{model}/").status_code == 200, model
