"""Users and their roles: ``create_user``, ``api_token``, the demo's own log-ins, ``role_of``."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from contactcenter.people.models import Agent
from contactcenter.people.roles import Role, role_of, set_role

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_user_with_a_password_file_and_each_role(tmp_path) -> None:
    secret = tmp_path / "password"
    secret.write_text("a-long-password-1\nignored second line\n")
    for name, role in (("ada", "admin"), ("sam", "supervisor"), ("ali", "agent")):
        out = run("create_user", name, "--role", role, "--password-file", str(secret))
        assert f"created {name} ({role})" in out
        assert role_of(get_user_model().objects.get(username=name)) == Role(role)
    client = Client()
    assert client.login(username="ada", password="a-long-password-1")
    assert client.get("/admin/").status_code == 200
    assert client.login(username="sam", password="a-long-password-1")
    assert client.get("/admin/").status_code == 302 and client.get("/wallboard/").status_code == 200
    # A supervisor logs in on the site's page (the admin's form takes staff only) and lands on the wallboard.
    response = Client().post("/login/", {"username": "sam", "password": "a-long-password-1"})
    assert response.status_code == 302 and response["Location"] == "/wallboard/"


def test_a_generated_password_is_printed_once_and_works() -> None:
    out = run("create_user", "gen", "--role", "supervisor", "--generate-password")
    password = out.split("password: ")[1].split()[0]
    assert Client().login(username="gen", password=password)
    assert get_user_model().objects.get(username="gen").password != password  # hashed, as ever


def test_create_user_refuses_what_it_cannot_do_well(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal to ask on
    with pytest.raises(CommandError, match="no terminal"):
        run("create_user", "x", "--role", "agent")
    short = tmp_path / "short"
    short.write_text("abc\n")
    with pytest.raises(CommandError, match="too short"):
        run("create_user", "x", "--role", "agent", "--password-file", str(short))
    run("create_user", "x", "--role", "agent", "--generate-password")
    with pytest.raises(CommandError, match="exists"):
        run("create_user", "x", "--role", "admin", "--generate-password")
    assert role_of(get_user_model().objects.get(username="x")) == Role.AGENT
    with pytest.raises(CommandError, match="--role agent"):
        run("create_user", "y", "--role", "supervisor", "--agent", "agent1", "--generate-password")
    with pytest.raises(CommandError, match="no agent"):
        run("create_user", "y", "--role", "agent", "--agent", "nobody", "--generate-password")


def test_an_agent_made_with_its_agent_has_a_console(settings) -> None:
    settings.CONSOLE_SIP_SECRET = "unit-secret"
    Agent.objects.create(name="webagent7")
    password = run("create_user", "ali", "--role", "agent", "--agent", "webagent7",
                   "--generate-password").split("password: ")[1].split()[0]  # fmt: skip
    client = Client()
    client.login(username="ali", password=password)
    assert client.get("/console/api/session").json()["agent"]["name"] == "webagent7"
    with pytest.raises(CommandError, match="already"):
        run("create_user", "bo", "--role", "agent", "--agent", "webagent7", "--generate-password")


def test_api_token_prints_the_same_token_until_rotated() -> None:
    run("create_user", "robot", "--role", "admin", "--generate-password")
    first = run("api_token", "robot").strip()
    assert len(first) == 40 and run("api_token", "robot").strip() == first
    rotated = run("api_token", "robot", "--rotate").strip()
    assert rotated != first
    assert Client(HTTP_AUTHORIZATION=f"Token {rotated}").get("/api/campaigns/").status_code == 200
    assert Client(HTTP_AUTHORIZATION=f"Token {first}").get("/api/campaigns/").status_code in (401, 403)
    with pytest.raises(CommandError, match="no user"):
        run("api_token", "nobody")


def test_the_demos_admin_is_an_admin(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    run("demo_admin")
    admin = get_user_model().objects.get(username="admin")
    assert role_of(admin) == Role.ADMIN and admin.is_staff
    assert Client().login(username="admin", password=(tmp_path / "admin-password.txt").read_text().strip())


def test_roles_of_superusers_inactive_users_and_a_changed_role() -> None:
    users = get_user_model().objects
    assert role_of(users.create_superuser("root", password="x" * 12)) == Role.ADMIN  # no group needed
    nobody = users.create_user("nobody", password="x" * 12, is_staff=True)
    assert role_of(nobody) is None  # staff status alone is no role
    set_role(nobody, Role.ADMIN)
    assert nobody.is_superuser and nobody.is_staff
    set_role(nobody, Role.AGENT)  # one role at a time; the admin's powers go with the old one
    assert role_of(nobody) == Role.AGENT and not nobody.is_superuser and not nobody.is_staff
    assert list(nobody.groups.values_list("name", flat=True)) == ["agent"]
    nobody.is_active = False
    assert role_of(nobody) is None
