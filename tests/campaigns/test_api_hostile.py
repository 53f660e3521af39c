"""API payloads of wrong types and sizes get 400 naming the field (never a 500); lists come in pages."""

from __future__ import annotations

import pytest

from contactcenter.campaigns.models import Campaign, Lead
from tests.campaigns.test_api import campaign_body

pytestmark = pytest.mark.django_db

BIG = "x" * 200_000


@pytest.fixture
def campaign(admin_client, queue) -> Campaign:
    created = admin_client.post("/api/campaigns/", campaign_body(), content_type="application/json")
    assert created.status_code == 201, created.json()
    return Campaign.objects.get(pk=created.json()["id"])


@pytest.mark.parametrize(("change", "field"), [
    ({"name": BIG}, "name"),
    ({"name": 12}, None),
    ({"name": ["a"]}, "name"),
    ({"name": {"a": 1}}, "name"),
    ({"max_concurrent_calls": "many"}, "max_concurrent_calls"),
    ({"max_concurrent_calls": -1}, "max_concurrent_calls"),
    ({"max_concurrent_calls": 10**30}, "max_concurrent_calls"),
    ({"max_concurrent_calls": [1]}, "max_concurrent_calls"),
    ({"max_concurrent_calls": True}, None),
    ({"calling_windows": "always"}, "calling_windows"),
    ({"calling_windows": [{"days": "x" * 5000, "start": "09:00", "end": "10:00"}]}, "calling_windows"),
    ({"calling_windows": [[1, 2]]}, "calling_windows"),
    ({"calling_windows": [{"days": [0], "start": 9, "end": None}]}, "calling_windows"),
    ({"calling_windows": [{"days": [0], "start": "09:00", "end": "10:00"}] * 5000}, "calling_windows"),
    ({"retry_minutes": [1, 2]}, "retry_minutes"),
    ({"retry_minutes": {"no_answer": "soon"}}, "retry_minutes"),
    ({"retry_minutes": {"no_answer": 10**400}}, None),
    ({"policy": "strict"}, "policy"),
    ({"policy": [1]}, "policy"),
    ({"policy": {"name": BIG}}, "policy"),
    ({"escalation_queue": ["support"]}, "escalation_queue"),
    ({"escalation_queue": {"name": "support"}}, "escalation_queue"),
    ({"escalation_queue": BIG}, "escalation_queue"),
    ({"overflow_queues": "support"}, "overflow_queues"),
    ({"overflow_queues": [{"a": 1}]}, "overflow_queues"),
    ({"caller_id": 911800100100}, "caller_id"),
    ({"caller_id": BIG}, "caller_id"),
    ({"default_region": BIG}, "default_region"),
    ({"default_time_zone": 5}, "default_time_zone"),
    ({"default_time_zone": BIG}, "default_time_zone"),
    ({"webhook_url": BIG}, "webhook_url"),
    ({"webhook_url": ["https://a.test"]}, "webhook_url"),
    ({"webhook_secret": 1234567890123456789}, None),
    ({"max_abandon_rate": "high"}, "max_abandon_rate"),
    ({"max_abandon_rate": float("inf")}, "detail"),  # not JSON: the parser refuses it
    ({"escalation_rate_prior": "nan"}, "escalation_rate_prior"),
    ({"ring_timeout_s": 1e300}, "ring_timeout_s"),
    ({"dial_mode": ["ai_first"]}, "dial_mode"),
    ({"type": BIG}, "type"),
    ({"trunk": BIG}, "trunk"),
    ({"trunk": None}, "trunk"),
    ({"voicemail_message": BIG}, "voicemail_message"),
    ({"safe_harbour_message": BIG}, "safe_harbour_message"),
    ({"flow": BIG}, "flow"),
    ({"flow_language": {"x": 1}}, "flow_language"),
])  # fmt: skip
def test_a_campaign_of_wrong_types_and_sizes_gets_400_naming_the_field(admin_client, campaign, change, field) -> None:
    response = admin_client.patch(f"/api/campaigns/{campaign.pk}/", change, content_type="application/json")
    if field is None:  # coerced by DRF to something valid (or refused): never a 500
        assert response.status_code in (200, 400), response.content[:300]
        return
    assert response.status_code == 400, response.content[:300]
    assert field in response.json(), response.json()


@pytest.mark.parametrize(("body", "field"), [
    ({"phone": 919800000001}, None),
    ({"phone": ["+919800000001"]}, "phone"),
    ({"phone": BIG}, "phone"),
    ({"phone": "+91" + "9" * 40}, "phone"),
    ({"fields": "order"}, "fields"),
    ({"fields": [1, 2]}, "fields"),
    ({"fields": {"order_id": BIG}}, "fields"),
    ({"fields": {f"k{i}": "v" for i in range(5000)}}, "fields"),
    ({"fields": {"order_id": {"nested": [1]}}}, "fields"),
    ({"time_zones": "Asia/Kolkata"}, "time_zones"),
    ({"time_zones": [5]}, "time_zones"),
    ({"time_zones": [BIG]}, "time_zones"),
    ({"time_zones": ["Asia/Kolkata"] * 5000}, "time_zones"),
    ({"first_name": BIG}, "first_name"),
    ({"first_name": {"a": 1}}, "first_name"),
    ({"external_id": BIG}, "external_id"),
    ({"campaign": "one"}, "campaign"),
    ({"campaign": 10**30}, "campaign"),
])  # fmt: skip
def test_a_lead_of_wrong_types_and_sizes_gets_400_naming_the_field(admin_client, campaign, body, field) -> None:
    payload = {"campaign": campaign.pk, "phone": "+919800000001", "first_name": "Asha",
               "fields": {"order_id": "A1", "item": "a lamp", "amount": "10"}, **body}  # fmt: skip
    response = admin_client.post("/api/leads/", payload, content_type="application/json")
    if field is None:
        assert response.status_code in (201, 400), response.content[:300]
        return
    assert response.status_code == 400, response.content[:300]
    assert field in response.json(), response.json()
    assert Lead.objects.count() == 0


@pytest.mark.parametrize("body", [b"[", b"\xff\xfe", b"[]", b"1", b'"x"', b"null", b'{"a":' * 2000 + b"1" + b"}" * 2000])
def test_json_that_is_not_an_object_gets_400(admin_client, campaign, body) -> None:
    response = admin_client.post("/api/leads/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    response = admin_client.patch(f"/api/campaigns/{campaign.pk}/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize("query", ["campaign=x", "status=" + "x" * 5000, "campaign=99999999999999999999999",
                                   "page=x", "page=999", "page_size=-1", "page_size=x", "outcome=%00"])
def test_list_filters_of_wrong_types_never_500(admin_client, campaign, query) -> None:
    assert admin_client.get(f"/api/leads/?{query}").status_code in (200, 400, 404)
    assert admin_client.get(f"/api/attempts/?{query.replace('status', 'call_id')}").status_code in (200, 400, 404)


def test_a_json_body_over_djangos_memory_limit_gets_400(admin_client, campaign) -> None:
    """Under the web server's 10 MB but over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)."""
    body = b'{"campaign": %d, "phone": "+919800000001", "first_name": "%s"}' % (campaign.pk, b"x" * (3 * 1024 * 1024))
    response = admin_client.post("/api/leads/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert Lead.objects.count() == 0


def test_lists_come_in_pages(admin_client, campaign) -> None:
    Lead.objects.bulk_create(Lead(campaign=campaign, phone=f"+9198000{i:05d}", time_zones=["Asia/Kolkata"])
                             for i in range(1205))  # fmt: skip
    first = admin_client.get("/api/leads/").json()
    assert (first["count"], len(first["results"])) == (1205, 100) and "page=2" in first["next"]
    assert len(admin_client.get("/api/leads/?page_size=5000").json()["results"]) == 1000  # the maximum
    results = admin_client.get(f"/api/campaigns/{campaign.pk}/results/?page_size=10&page=3").json()
    assert results["count"] == 1205 and len(results["results"]) == 10
    assert results["results"][0]["phone"] == "+919800000020"


def test_a_file_large_enough_to_wait_on_disk_is_read_from_there(admin_client, campaign, settings) -> None:
    """Over FILE_UPLOAD_MAX_MEMORY_SIZE Django keeps the upload in a temporary file; the import
    reads it from there a line at a time."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    note = "n" * 900
    rows = "".join(f"+9198{i:08d},Asha,A{i},a lamp,1,{note}\n" for i in range(3500))
    data = ("phone,first_name,order_id,item,amount,note\n" + rows).encode()
    assert len(data) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    upload = SimpleUploadedFile("big.csv", data, content_type="text/csv")
    response = admin_client.post(f"/api/campaigns/{campaign.pk}/imports/", {"file": upload})
    assert response.status_code == 201, response.content[:300]
    assert (response.json()["rows"], response.json()["encoding"]) == (3500, "utf-8")
    assert response.json()["imported"] + response.json()["invalid"] == 3500
