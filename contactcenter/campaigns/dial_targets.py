"""Where a campaign's calls may go and whom they say they are from: a configured trunk, E.164 numbers.

Checked when a campaign is saved (``Campaign.clean``, so the admin and the API refuse it field
by field), against the Trunk table again before each batch of calls (the dialer), and for
shape where the dial string is built (``pbx_link.trunk_dial_plan``, once per call: no query),
so a row written past validation is refused rather than dialled.
"""

from __future__ import annotations

from asterisk_config.dialling import (
    LOCAL_TRUNK_PREFIX,
    NUMBER_CONTEXTS,
    check_trunk_name,
    is_e164,
    matches_dial_pattern,
)
from contactcenter.campaigns import compliance
from contactcenter.telephony.models import Trunk


class DialTargetError(ValueError):
    """A trunk or number that must not reach a dial string, in words for the operator."""


def configured_trunks() -> tuple[str, ...]:
    """The site's trunks (the Trunk table, which pbx renders), and ``local:<context>`` for the
    dialplan contexts written to take a number (the simulated customers)."""
    names = tuple(Trunk.objects.order_by("name").values_list("name", flat=True))
    return names + tuple(LOCAL_TRUNK_PREFIX + context for context in NUMBER_CONTEXTS)


def check_trunk_shape(trunk: str) -> str:
    """What may reach a dial string without asking the database: a trunk name, or ``local:`` one
    of the contexts written to take a number (never another context, e.g. the agents')."""
    try:
        check_trunk_name(trunk)
    except ValueError as exc:
        raise DialTargetError(str(exc)) from None
    if trunk.startswith(LOCAL_TRUNK_PREFIX) and trunk.removeprefix(LOCAL_TRUNK_PREFIX) not in NUMBER_CONTEXTS:
        raise DialTargetError(f"{trunk!r} is not a configured trunk; number contexts: "
                              f"{', '.join(LOCAL_TRUNK_PREFIX + c for c in NUMBER_CONTEXTS)}")  # fmt: skip
    return trunk


def check_trunk(trunk: str) -> str:
    """``trunk`` if the site has configured it (a Trunk row, or a number context)."""
    check_trunk_shape(trunk)
    allowed = configured_trunks()
    if trunk not in allowed:
        raise DialTargetError(f"{trunk!r} is not a configured trunk; configured: {', '.join(allowed)}")
    return trunk


def check_number(phone: str) -> str:
    """A number for a dial string: E.164 (+ and digits) only."""
    if not is_e164(phone):
        raise DialTargetError(f"{phone!r} is not an E.164 number (+ and digits, e.g. +919800000001)")
    return phone


def check_caller_id(caller_id: str) -> str:
    """Empty (the trunk's own), or a valid E.164 number."""
    if caller_id and not compliance.is_valid_e164(caller_id):
        raise DialTargetError(f"{caller_id!r} is not a valid E.164 number (e.g. +911800100100); "
                              "or leave it empty")
    return caller_id


def trunk_destinations(trunk: str) -> tuple[str, ...]:
    """The destination patterns a trunk allows (empty: any E.164 number; ``local:`` trunks have none)."""
    row = Trunk.objects.filter(name=trunk).values_list("destination_patterns", flat=True).first()
    return tuple(row or ())


def allowed_on_trunk(phone: str, patterns: tuple[str, ...]) -> bool:
    return not patterns or any(matches_dial_pattern(pattern, phone) for pattern in patterns)
