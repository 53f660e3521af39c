"""A model's values checked by the contract model they become (``pbx.api``), error by field.

The bounds and shapes of what crosses to pbx are written once, in the contract; a model's
``clean`` asks the contract instead of repeating its numbers, and gets Django's error shape
back (``{field: [message]}``), so the admin and the API name the field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError


def contract_errors(spec: type[BaseModel], values: dict[str, Any]) -> dict[str, list[str]]:
    """Errors of ``spec(**values)``, keyed by field (a rule over several fields: NON_FIELD_ERRORS)."""
    try:
        spec.model_validate(values)
    except PydanticValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else NON_FIELD_ERRORS
            name = name if name in values else NON_FIELD_ERRORS
            errors.setdefault(name, []).append(error["msg"].removeprefix("Value error, "))
        return errors
    return {}


def spec_default(spec: type[BaseModel], name: str) -> Any:
    """The contract's default for a field, so a model's default cannot drift from it."""
    return spec.model_fields[name].default
