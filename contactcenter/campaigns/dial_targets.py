"""Where a campaign's calls may go and whom they say they are from: a configured trunk, E.164 numbers.

Checked when a campaign is saved (``Campaign.clean``, so the admin and the API refuse it field
by field), against the Trunk table again before each batch of calls (the dialer), and for
shape where the dial string is built (``pbx_link.trunk_dial_plan``, once per call: no query),
so a row written past validation is refused rather than dialled.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

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


# Numbers that charge the caller more than a call (premium-rate, shared-cost): a campaign dials
# one only when its trunk's destination patterns name that range, i.e. a matching pattern
# spells out digits past the country code ("_+1900NXXXXXX" names US 900 numbers; "_+1NXXNXXXXXX"
# and an empty list of patterns do not). Short codes never get this far: they are not E.164
# (``compliance.normalise_phone`` refuses them) and dial strings carry E.164 only.
COSTLY_TYPES = {PhoneNumberType.PREMIUM_RATE: "premium-rate", PhoneNumberType.SHARED_COST: "shared-cost"}
_LITERAL_PREFIX = re.compile(r"_(\+?[0-9]*)")


def costly_kind(phone: str) -> str | None:
    """"premium-rate" or "shared-cost" for such an E.164 number, else None."""
    try:
        return COSTLY_TYPES.get(phonenumbers.number_type(phonenumbers.parse(phone)))
    except phonenumbers.NumberParseException:
        return None


def names_range(pattern: str, phone: str) -> bool:
    """Whether ``pattern`` matches ``phone`` with literal digits past its country code."""
    if not matches_dial_pattern(pattern, phone):
        return False
    prefix = _LITERAL_PREFIX.match(pattern).group(1).lstrip("+")
    country = str(phonenumbers.parse(phone).country_code)
    return len(prefix) > len(country)


def costly_number_refusal(phone: str, patterns: tuple[str, ...], trunk: str) -> str | None:
    """Why a premium-rate or shared-cost ``phone`` may not be dialled through ``trunk`` (None: it may)."""
    kind = costly_kind(phone)
    if kind is None or any(names_range(pattern, phone) for pattern in patterns):
        return None
    return (f"a {kind} number; the trunk {trunk} dials one only when a destination pattern names its range "
            "(e.g. _+1900NXXXXXX)")


def allowed_on_trunk(phone: str, patterns: tuple[str, ...]) -> bool:
    """Whether the trunk carries ``phone``: a pattern matches (no patterns: any E.164 number),
    and a premium-rate or shared-cost number only where a pattern names its range."""
    if patterns and not any(matches_dial_pattern(pattern, phone) for pattern in patterns):
        return False
    return costly_number_refusal(phone, patterns, "") is None
