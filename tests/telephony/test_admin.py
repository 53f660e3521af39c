"""The admin pages of the PBX's configuration: they open, show an agent's SIP credentials, hide
no trunk password in the page source, and keep the fail-safe queue."""

from __future__ import annotations

import pytest

from contactcenter.people.models import Agent, HumanQueue, QueueMembership
from contactcenter.telephony.models import BusinessHours, InboundRoute, Trunk
from pbx.api.telephony import agent_sip_password

pytestmark = pytest.mark.django_db


def test_the_pages_open(admin_client, baseline) -> None:
    agent = Agent.objects.create(name="agent7")
    QueueMembership.objects.create(agent=agent, queue=baseline, penalty=2)
    hours = BusinessHours.objects.create(name="office")
    route = InboundRoute.objects.create(did="+918000100100", target="queue", queue=baseline, hours=hours)
    trunk = Trunk.objects.get(name="trunk")
    for url in ("/admin/people/humanqueue/", f"/admin/people/humanqueue/{baseline.pk}/change/",
                f"/admin/people/agent/{agent.pk}/change/", "/admin/people/skill/add/",
                f"/admin/telephony/trunk/{trunk.pk}/change/", f"/admin/telephony/businesshours/{hours.pk}/change/",
                f"/admin/telephony/inboundroute/{route.pk}/change/"):  # fmt: skip
        assert admin_client.get(url).status_code == 200, url


def test_an_agents_page_shows_its_sip_credentials(admin_client, baseline, settings) -> None:
    settings.CONSOLE_SIP_SECRET = "the-installation-secret"
    agent = Agent.objects.create(name="agent7", sip_password_generation=1)
    page = admin_client.get(f"/admin/people/agent/{agent.pk}/change/").content.decode()
    assert agent_sip_password("the-installation-secret", "agent7", 1, salt=agent.sip_password_salt) in page


def test_a_trunks_password_is_a_password_input(admin_client, baseline) -> None:
    page = admin_client.get("/admin/telephony/trunk/add/").content.decode()
    assert 'type="password" name="password"' in page


def test_the_failsafe_queue_is_not_deleted_from_the_admin(admin_client, baseline) -> None:
    other = HumanQueue.objects.create(name="sales")
    assert admin_client.get(f"/admin/people/humanqueue/{baseline.pk}/delete/").status_code == 403
    response = admin_client.post("/admin/people/humanqueue/", {"action": "delete_selected", "post": "yes",
                                                               "_selected_action": [baseline.pk, other.pk]})  # fmt: skip
    assert response.status_code == 403
    assert sorted(HumanQueue.objects.values_list("name", flat=True)) == ["sales", "support"]
