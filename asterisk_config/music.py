"""The music-on-hold classes Asterisk has: the sections of the rendered ``musiconhold.conf``.

A queue naming another class would play the default one with only a warning in Asterisk's
log; the management plane refuses it instead.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_TEMPLATE = Path(__file__).with_name("templates") / "musiconhold.conf"


@cache
def music_classes() -> tuple[str, ...]:
    return tuple(re.findall(r"^\[([A-Za-z0-9_-]+)\]", _TEMPLATE.read_text(), re.MULTILINE))
