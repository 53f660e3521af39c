"""Where a webhook may go (workers.webhooks.guard), as the admin, the API and a delivery see it."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from contactcenter.campaigns.models import Campaign
from contactcenter.people.roles import Role, set_role
from tests.campaigns.test_api import campaign_body
from workers.webhooks.guard import (
    ALLOW_HTTP_SETTING,
    ALLOW_PRIVATE_SETTING,
    TargetRefused,
    TargetRules,
    check,
)
from workers.webhooks.messages import WebhookPost
from workers.webhooks.post import post

PUBLIC = "93.184.216.34"


def resolver(*addresses: str):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize("url, rule", [
    ("http://crm.example.com/hook", "https"),
    ("https://127.0.0.1:8443/hook", "private"),
    ("https://[::1]/hook", "private"),
    ("https://169.254.169.254/latest/meta-data", "private"),  # a cloud's metadata address: link-local
    ("https://10.1.2.3/hook", "private"),
    ("https://[::ffff:192.168.1.5]/hook", "private"),  # IPv4 in IPv6 clothing
    ("https://0.0.0.0/hook", "private"),
    ("https://224.0.0.1/hook", "private"),
    ("https://100.64.0.1/hook", "private"),  # carrier-grade NAT: not globally routable
    ("ftp://crm.example.com/hook", "url"),
    ("https://user:pw@crm.example.com/hook", "url"),
])  # fmt: skip
def test_refused_by_default(url: str, rule: str) -> None:
    with pytest.raises(TargetRefused) as refused:
        check(url, TargetRules(), resolver(PUBLIC))
    assert refused.value.rule == rule


def test_every_resolved_address_is_checked() -> None:
    """A name with one public and one private record is refused: the connection could take either."""
    with pytest.raises(TargetRefused, match=r"crm.example.com \(10.0.0.7\) is a private address.*"
                                            + ALLOW_PRIVATE_SETTING):  # fmt: skip
        check("https://crm.example.com/hook", TargetRules(), resolver(PUBLIC, "10.0.0.7"))
    target = check("https://crm.example.com/hook?x=1", TargetRules(), resolver(PUBLIC))
    assert (target.host, target.port, target.path, target.addresses) == ("crm.example.com", 443, "/hook?x=1", (PUBLIC,))


def test_the_sites_allowances_open_http_and_private_targets() -> None:
    rules = TargetRules(allow_http=True, allow_private=True)
    assert check("http://127.0.0.1:8080/hook", rules).addresses == ("127.0.0.1",)
    with pytest.raises(TargetRefused, match=ALLOW_HTTP_SETTING):
        check("http://127.0.0.1:8080/hook", TargetRules(allow_private=True))


class _Answers(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data")
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()


def _request(url: str, **kw) -> WebhookPost:
    return WebhookPost(event_id="e1", url=url, body="{}", headers={"Content-Type": "application/json"}, **kw)


def test_a_delivery_checks_again_and_never_follows_a_redirect(local_server: int) -> None:
    url = f"http://127.0.0.1:{local_server}"
    refused = post(_request(f"{url}/hook"))
    assert refused.status is None and "refused" in refused.error and ALLOW_HTTP_SETTING in refused.error
    assert post(_request(f"{url}/hook", allow_http=True, allow_private=True)).delivered
    moved = post(_request(f"{url}/moved", allow_http=True, allow_private=True))
    assert not moved.delivered and moved.status == 302
    assert "redirect to http://169.254.169.254/latest/meta-data" in moved.error and "do not follow" in moved.error


def test_a_name_that_rebinds_to_loopback_is_refused_at_delivery(local_server: int) -> None:
    """Saved while it pointed somewhere public; at delivery it points at this server: not sent."""
    rebound = post(_request(f"http://hooks.example.com:{local_server}/hook", allow_http=True),
                   resolve=resolver("127.0.0.1"))  # fmt: skip
    assert rebound.status is None and "loopback" in rebound.error


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host() -> None:
    seen: list[str] = []

    class Recorder(_Answers):
        def do_POST(self) -> None:
            seen.append(self.headers["Host"])
            super().do_POST()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = post(_request(f"http://crm.internal.test:{server.server_port}/hook", allow_http=True,
                               allow_private=True), resolve=resolver("127.0.0.1"))  # fmt: skip
    finally:
        server.shutdown()
    assert result.delivered and seen == [f"crm.internal.test:{server.server_port}"]


@pytest.mark.django_db
def test_the_admin_refuses_a_loopback_webhook_naming_the_rule_and_setting(make_campaign, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    campaign = make_campaign()
    admin = get_user_model().objects.create_user("boss", password="x" * 12)
    set_role(admin, Role.ADMIN)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"overflow_queues": [], "amd_enabled": "", "webhook_url": "http://127.0.0.1:8080/hook"})
    for name in ("calling_windows", "retry_minutes", "policy"):
        data[name] = json.dumps(getattr(campaign, name))
    response = client.post(f"/admin/campaigns/campaign/{campaign.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["webhook_url"], errors
    errors = errors["webhook_url"]
    assert errors == [f"webhooks must use https:// (plain http is allowed only where the site sets "
                      f"{ALLOW_HTTP_SETTING}=1)"]  # fmt: skip
    data["webhook_url"] = "https://127.0.0.1:8443/hook"
    response = client.post(f"/admin/campaigns/campaign/{campaign.pk}/change/", data)
    [error] = response.context["adminform"].form.errors["webhook_url"]
    assert "127.0.0.1 is a loopback address" in error and f"{ALLOW_PRIVATE_SETTING}=1" in error
    settings.CC_WEBHOOK_ALLOW_HTTP = settings.CC_WEBHOOK_ALLOW_PRIVATE = True
    data["webhook_url"] = "http://127.0.0.1:8080/hook"
    response = client.post(f"/admin/campaigns/campaign/{campaign.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Campaign.objects.get(pk=campaign.pk).webhook_url == "http://127.0.0.1:8080/hook"


@pytest.mark.django_db
def test_the_api_refuses_it_too(admin_client, queue) -> None:
    response = admin_client.post("/api/campaigns/", campaign_body(webhook_url="https://[::1]:8443/hook"),
                                 content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    [error] = response.json()["webhook_url"]
    assert "::1 is a loopback address" in error and ALLOW_PRIVATE_SETTING in error
    assert not Campaign.objects.exists()
