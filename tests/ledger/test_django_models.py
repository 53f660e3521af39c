"""Django's unmanaged models must describe the tables Alembic makes, column for column."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from sqlalchemy import String

from contactcenter.site.config import REPO_DIR
from pbx.ledger.schema import PBX_ONLY_TABLES, metadata

PYTHON_TYPE = {
    "CharField": str,
    "TextField": str,
    "BooleanField": bool,
    "IntegerField": int,
    "BigIntegerField": int,
    "BigAutoField": int,
    "FloatField": float,
    "DateTimeField": dt.datetime,
    "JSONField": dict,
}
MODELS = list(apps.get_app_config("ledger").get_models())


def test_every_ledger_table_has_an_unmanaged_model() -> None:
    assert {m._meta.db_table for m in MODELS} == set(metadata.tables) - PBX_ONLY_TABLES
    assert all(not m._meta.managed for m in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_model_columns_match_the_table(model) -> None:
    table = metadata.tables[model._meta.db_table]
    fields = {f.column: f for f in model._meta.concrete_fields}
    assert set(fields) == set(table.columns.keys())
    for name, field in fields.items():
        column = table.columns[name]
        if not column.primary_key:
            assert field.null == column.nullable, f"{table.name}.{name} nullability"
        target = field.target_field if field.is_relation else field
        assert PYTHON_TYPE[target.get_internal_type()] is column.type.python_type, f"{table.name}.{name} type"
        if isinstance(column.type, String) and column.type.length:
            assert target.max_length == column.type.length, f"{table.name}.{name} length"


def test_django_migrations_stay_clean_with_the_unmanaged_models(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "CC_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
