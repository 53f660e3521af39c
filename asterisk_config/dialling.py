"""What may be dialled through this PBX: by campaigns (a trunk) and by agents (a dial policy).

Plain data and checks, no Django: the management plane validates a campaign's trunk against
these names, and the renderer turns an agent dial policy into the agents' dialplan context.
"""

from __future__ import annotations

import re

from pbx.api.telephony import DIAL_PATTERN, E164_PATTERN

# The trunk a new site starts with (a migration makes it; the stack hard-wired it until Django
# owned trunks): its calls are PJSIP/<e164>@trunk.
TRUNK_ENDPOINT = "trunk"
# A campaign's trunk may also be ``local:<context>``: the number dialled as an extension of a
# dialplan context. Only contexts written to take a phone number as their extension qualify;
# cc-sim-reactive is the simulated customers of the demo and the tests.
LOCAL_TRUNK_PREFIX = "local:"
NUMBER_CONTEXTS = ("cc-sim-reactive",)

# Whole-string matches (fullmatch): a "$" alone would let a trailing newline through.
_TRUNK_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")
# E.164 (pbx.api's word): nothing else may reach a dial string.
_E164 = re.compile(E164_PATTERN)
# An Asterisk extension pattern a trunk carries (pbx.api's word): no character that means
# anything else in a dialplan line.
_DIAL_PATTERN = re.compile(DIAL_PATTERN)


def check_trunk_name(trunk: str) -> str:
    """``trunk`` if it is shaped like a trunk (an endpoint name or ``local:<context>``), else ValueError."""
    name = trunk.removeprefix(LOCAL_TRUNK_PREFIX)
    if not _TRUNK_NAME.fullmatch(name):
        raise ValueError(f"{trunk!r} is not a trunk name (letters, digits, '_' or '-'; or local:<context>)")
    return trunk


def is_e164(phone: str) -> bool:
    return bool(_E164.fullmatch(phone))


def check_dial_pattern(pattern: str) -> str:
    if not _DIAL_PATTERN.fullmatch(pattern):
        raise ValueError(f"agent dial pattern {pattern!r} must look like _+91XXXXXXXXXX (digits, X, Z, N, "
                         "[ranges], a trailing . or !)")  # fmt: skip
    return pattern


_PATTERN_PARTS = re.compile(r"\[([0-9-]+)\]|([XZN])|([.!])|([0-9+])")
_CLASSES = {"X": "[0-9]", "Z": "[1-9]", "N": "[2-9]"}


def matches_dial_pattern(pattern: str, number: str) -> bool:
    """Whether Asterisk would match ``number`` against the extension pattern ``pattern``
    (``_`` then digits, ``+``, X/Z/N, ``[ranges]``, a trailing ``.`` (one or more) or ``!``)."""
    check_dial_pattern(pattern)
    regex = []
    for rng, cls, tail, literal in _PATTERN_PARTS.findall(pattern[1:]):
        if rng:
            regex.append(f"[{rng}]")
        elif cls:
            regex.append(_CLASSES[cls])
        elif tail:
            regex.append(".+" if tail == "." else ".*")
        else:
            regex.append(re.escape(literal))
    return re.fullmatch("".join(regex), number) is not None
