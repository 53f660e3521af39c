"""Validation errors that name the offending field in one readable line."""

from __future__ import annotations

from pydantic import ValidationError


def _loc(loc: tuple[int | str, ...], root: str) -> str:
    out = root
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


class VoiceWatchValidationError(ValueError):
    """Raised for malformed events or policies.

    `fields` lists dotted paths such as "policy.reasons.anger.threshold", so callers
    (the Django admin, the CLIs) can point at the field without parsing pydantic's text.
    """

    def __init__(self, what: str, problems: list[tuple[str, str]]) -> None:
        self.what = what
        self.problems = problems
        self.fields = tuple(field for field, _ in problems)
        detail = "; ".join(f"{field}: {msg}" for field, msg in problems)
        super().__init__(f"invalid {what}: {detail}")

    @classmethod
    def from_pydantic(cls, what: str, err: ValidationError, root: str = "",
                      hide: frozenset[str] = frozenset()) -> "VoiceWatchValidationError":
        """Wrap pydantic's error; `hide` drops location parts that are not fields (union tags)."""
        problems = []
        for e in err.errors():
            loc = tuple(p for p in e["loc"]
                        if not (isinstance(p, str) and (p.startswith("function-") or p == "[key]" or p in hide)))
            problems.append((_loc(loc, root), e["msg"]))
        return cls(what, problems)


class PolicyError(VoiceWatchValidationError):
    """A policy document does not validate."""


class EventError(VoiceWatchValidationError):
    """An event does not validate."""
