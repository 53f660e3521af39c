"""A campaign's trunk and caller ID: configured or valid, or refused (API 400, admin form error, dial plan)."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.sites import site
from django.forms.models import model_to_dict
from django.test import RequestFactory

from contactcenter.campaigns.dial_targets import DialTargetError, check_trunk
from contactcenter.campaigns.models import Campaign
from contactcenter.campaigns.pbx_link import trunk_dial_plan
from contactcenter.telephony.models import Trunk
from tests.campaigns.test_api import campaign_body

pytestmark = pytest.mark.django_db

UNSAFE_TRUNKS = ["trunk/sip:anyone@anywhere", "sip:anyone@anywhere", "trunk@evil", "carrier2", "local:cc-agents",
                 "local:cc-sim-reactive,1", "local:", "", "trunk\n"]  # fmt: skip
UNSAFE_NUMBERS = ["919800000001", "+91 98000 00001", "+919800000001@evil", "+919800000001/n", "+0123",
                  "+9198000000012345", "cc-pause", "", "+919800000001\n"]  # fmt: skip


@pytest.mark.parametrize("trunk", UNSAFE_TRUNKS)
def test_a_trunk_the_site_has_not_configured_is_refused(trunk: str) -> None:
    with pytest.raises(DialTargetError, match="trunk"):
        check_trunk(trunk)


@pytest.mark.parametrize("trunk", [t for t in UNSAFE_TRUNKS if t != "carrier2"])
def test_the_dial_plan_refuses_what_is_not_shaped_like_a_trunk_without_a_query(trunk: str,
                                                                               django_assert_num_queries) -> None:  # fmt: skip
    with django_assert_num_queries(0), pytest.raises(DialTargetError, match="trunk"):
        trunk_dial_plan(trunk, "+919800000001")


@pytest.mark.parametrize("phone", UNSAFE_NUMBERS)
def test_the_dial_plan_refuses_a_number_that_is_not_e164(phone: str) -> None:
    with pytest.raises(DialTargetError, match="E.164"):
        trunk_dial_plan("trunk", phone)


def test_the_site_configures_its_trunks() -> None:
    Trunk.objects.all().delete()
    Trunk.objects.create(name="carrier2", host="sip.carrier.example")
    assert trunk_dial_plan("carrier2", "+919800000001") == "PJSIP/+919800000001@carrier2"
    # local:<context> is there for the contexts written to take a number (the simulated customers) only.
    assert trunk_dial_plan("local:cc-sim-reactive", "+919800000001") == "Local/+919800000001@cc-sim-reactive"
    for unconfigured in ("trunk", "local:by-prefix"):
        with pytest.raises(DialTargetError, match="not a configured trunk"):
            check_trunk(unconfigured)
    Trunk.objects.create(name="a,b", host="x")  # written past validation: still not a dial string
    with pytest.raises(DialTargetError, match="not a trunk name"):
        trunk_dial_plan("a,b", "+919800000001")


@pytest.mark.parametrize("field, value", [("trunk", "trunk/sip:anyone@anywhere"), ("trunk", "carrier2"),
                                          ("caller_id", "Shop <1800100100>"), ("caller_id", "+91123"),
                                          ("caller_id", "1800100100")])  # fmt: skip
def test_the_api_refuses_a_bad_trunk_or_caller_id_naming_the_field(admin_client, queue, field, value) -> None:
    response = admin_client.post("/api/campaigns/", campaign_body(**{field: value}), content_type="application/json")
    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field], response.json()
    assert not Campaign.objects.exists()


def test_the_api_takes_a_configured_trunk_and_an_e164_caller_id(admin_client, queue) -> None:
    body = campaign_body(trunk="local:cc-sim-reactive", caller_id="+911800100100")
    response = admin_client.post("/api/campaigns/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert admin_client.patch(f"/api/campaigns/{pk}/", {"caller_id": ""}, content_type="application/json").status_code == 200
    changed = admin_client.patch(f"/api/campaigns/{pk}/", {"trunk": "trunk/sip:x@y"}, content_type="application/json")
    assert changed.status_code == 400 and "trunk" in changed.json()
    assert Campaign.objects.get(pk=pk).trunk == "local:cc-sim-reactive"


def test_the_admin_form_shows_the_error_on_the_field(admin_user, make_campaign) -> None:
    campaign = make_campaign()
    request = RequestFactory().post("/")
    request.user = admin_user
    model_admin = site._registry[Campaign]
    form_class = model_admin.get_form(request, campaign, change=True)
    data = {k: v for k, v in model_to_dict(campaign).items() if v is not None}
    data.update(escalation_queue=campaign.escalation_queue.pk, overflow_queues=[],
                trunk="trunk/sip:anyone@anywhere", caller_id="Shop <1800100100>")  # fmt: skip
    for name in ("policy", "calling_windows", "retry_minutes"):
        data[name] = json.dumps(data[name])
    form = form_class(data, instance=campaign)
    assert not form.is_valid()
    assert set(form.errors) == {"trunk", "caller_id"}, form.errors
    assert "not a configured trunk" in form.errors["trunk"][0] or "not a trunk name" in form.errors["trunk"][0]
    assert "E.164" in form.errors["caller_id"][0]
