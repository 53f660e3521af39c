"""Prompt templates: ``"Hello {first_name}"`` with plain named fields and nothing else.

Lead values arrive as already formatted strings (the management plane knows the
currency and locale), so format specs, conversions and attribute access are refused:
they would let a flow file reach into objects or fail differently per lead.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from pbx.dialog.errors import MissingTemplateField

_FORMATTER = string.Formatter()


def template_fields(template: str) -> tuple[str, ...]:
    """Field names in order of first use; raises ``ValueError`` on anything but ``{name}``."""
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ValueError(f"malformed template {template!r}: {exc}") from None
    fields: list[str] = []
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"template field {{{field}}} must be a plain name like {{first_name}}")
        if spec or conversion:
            raise ValueError(f"template field {{{field}}} must not carry a format spec or conversion")
        if field not in fields:
            fields.append(field)
    return tuple(fields)


def render(template: str, values: Mapping[str, str]) -> str:
    parts: list[str] = []
    for literal, field, _spec, _conversion in _FORMATTER.parse(template):
        parts.append(literal)
        if field is None:
            continue
        if field not in values:
            raise MissingTemplateField(field, template)
        parts.append(str(values[field]))
    return "".join(parts)
