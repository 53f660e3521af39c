"""The management plane's own checks: system checks, migrations in sync, the health view."""

from __future__ import annotations

import subprocess
import sys

import pytest

from contactcenter.site.config import REPO_DIR


def _manage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_DIR, capture_output=True, text=True, timeout=120
    )


def test_manage_check_passes() -> None:
    result = _manage("check", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_models_and_migrations_are_in_sync() -> None:
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_healthz_does_a_database_round_trip(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True


@pytest.mark.django_db
def test_admin_login_page_is_served(client) -> None:
    assert client.get("/admin/login/").status_code == 200
