"""Failed logins lock out (django-axes): the site's, the admin's and the console's forms, and API
tokens; a clear 429 saying for how long; good logins do not count; a success resets the count."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from contactcenter.people.roles import Role, set_role

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user():
    user = get_user_model().objects.create_user("ada", password="the-right-password")
    set_role(user, Role.ADMIN)
    return user


@pytest.mark.parametrize("page", ["/login/", "/admin/login/", "/console/login/"])
def test_a_form_locks_out_after_the_limit_even_the_right_password(page: str, admin_user) -> None:
    client = Client()
    for _ in range(LIMIT - 1):
        response = client.post(page, {"username": "ada", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post(page, {"username": "ada", "password": "wrong"})
    assert response.status_code == 429
    text = response.content.decode()
    assert f"Too many failed logins from this address ({LIMIT}): locked out for 15 minutes" in text
    response = client.post(page, {"username": "ada", "password": "the-right-password"})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # Another user at the same address is not locked out by ada's lockout.
    get_user_model().objects.create_user("bob", password="bobs-password")
    assert Client().post("/login/", {"username": "bob", "password": "bobs-password"}).status_code == 302


def test_a_success_resets_the_count(admin_user) -> None:
    client = Client()
    for _ in range(3):
        for _ in range(LIMIT - 1):
            client.post("/login/", {"username": "ada", "password": "wrong"})
        assert client.post("/login/", {"username": "ada", "password": "the-right-password"}).status_code == 302
        client.post("/logout/")


def test_api_tokens_lock_out_too(admin_user) -> None:
    token = Token.objects.create(user=admin_user).key
    client = Client()
    assert client.get("/api/campaigns/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    for _ in range(LIMIT - 1):
        assert client.get("/api/campaigns/", HTTP_AUTHORIZATION="Token 0123456789abcdef").status_code == 403
    locked = client.get("/api/campaigns/", HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert locked.status_code == 429 and "locked out for 15 minutes" in locked.json()["detail"]
    # Locked out: even the right token is refused from this address until the cool-off ends.
    again = client.get("/api/campaigns/", HTTP_AUTHORIZATION=f"Token {token}")
    assert again.status_code == 429 and "Too many failed logins" in again.json()["detail"]
