"""Who ``GET /metrics`` answers: the metrics token, or an admin or a supervisor logged in."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from contactcenter.metrics.access import Verdict, verdict
from contactcenter.people.roles import Role, set_role
from workers.metric_specs import METRIC_NAMES

TOKEN = "s3cret-metrics-token"


@pytest.fixture(autouse=True)
def _token(settings) -> None:
    settings.CC_METRICS_TOKEN = TOKEN
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(role: Role | None = None) -> Client:
    client = Client()
    if role is not None:
        user = get_user_model().objects.create_user(f"u-{uuid.uuid4().hex[:8]}", password="x" * 12)
        set_role(user, role)
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_token_reads_every_metric_and_anything_else_gets_401() -> None:
    ok = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain; version=0.0.4")
    typed = {line.split()[2] for line in ok.content.decode().splitlines() if line.startswith("# TYPE cc_")}
    assert typed == METRIC_NAMES
    for header in (None, "Bearer wrong-token", f"Token {TOKEN}", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"):
        refused = Client().get("/metrics", **({"HTTP_AUTHORIZATION": header} if header else {}))
        assert refused.status_code == 401, header
        assert refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"cc_" not in refused.content


@pytest.mark.django_db
def test_admins_and_supervisors_read_it_logged_in_agents_do_not() -> None:
    assert _client(Role.ADMIN).get("/metrics").status_code == 200
    assert _client(Role.SUPERVISOR).get("/metrics").status_code == 200
    assert _client(Role.AGENT).get("/metrics").status_code == 403
    # A wrong token is not rescued by a session beside it.
    assert _client(Role.SUPERVISOR).get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_an_empty_site_token_lets_no_token_in() -> None:
    assert verdict("Bearer ", None, "") is Verdict.UNAUTHENTICATED
    assert verdict("Bearer x", None, "x") is Verdict.ALLOWED
