"""The wire format of the streams: each entry has ``v`` (schema version), ``type`` and ``data`` (JSON).

Adding optional fields keeps the version; renaming or removing one bumps it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from pbx.api.streams import API_VERSION


class SchemaError(ValueError):
    """A stream entry that is not a valid command or event; the message names the fields."""


def to_fields(message: BaseModel) -> dict[str, str]:
    data = message.model_dump(mode="json")
    return {"v": str(API_VERSION), "type": data["type"], "data": json.dumps(data, separators=(",", ":"))}


def decode_mapping(fields: Mapping[Any, Any]) -> dict[str, Any]:
    """A Redis reply's keys and values as text (redis-py gives bytes unless told otherwise)."""
    return {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in fields.items()}  # fmt: skip


def describe(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors())


def decode_entry(fields: Mapping[Any, Any], adapter: TypeAdapter[Any], what: str) -> Any:
    fields = decode_mapping(fields)
    version = fields.get("v")
    if version != str(API_VERSION):
        raise SchemaError(f"{what}: schema version {version!r} is not supported (this pbx speaks {API_VERSION})")
    try:
        data = json.loads(fields.get("data", ""))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{what}: data is not JSON ({exc.msg})") from None
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        raise SchemaError(f"{what}: {describe(exc)}") from None
