"""The music-on-hold classes Asterisk has: the sections of the rendered ``musiconhold.conf``.

A queue naming another class would play the default one with only a warning in Asterisk's
log; the management plane refuses it instead.

Each class has twins (``cc-<opening>-<class>``): the same music, opened by what the bot would
say as it hands over (``announcement``): the bridging phrase, or, for a caller nobody could hear,
that it cannot hear them (:class:`Opening`). The queue extension gives the caller the twin
pbx chose (``CC_OPENING``) before Queue(), so the line plays while agents already ring and the
music follows without a gap (res_musiconhold plays a class's announcement when the music
starts, then between songs). pbx writes the lines once at start-up (``pbx.bot.prompt_files``);
until it has, a twin plays its music alone. Twins are not choices of their own:
``music_classes`` leaves them out.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from pathlib import Path

_TEMPLATE = Path(__file__).with_name("templates") / "musiconhold.conf"
# The instance's prompt folder (under its instance_dir), where pbx writes prompts Asterisk plays
# (pbx.bot.prompt_files; PBX_MEDIA_DIR_ASTERISK in the stack), and two of its files (no extension):
PROMPT_DIR = "spool/media"
# the bridging phrase and the can't-hear line, which the twins announce;
BRIDGING_PROMPT = "cc-bridging-phrase"
UNHEARD_PROMPT = "cc-unheard-phrase"
# each escalated call's whispered summary: this and the call id (letters, digits and '-' of it).
WHISPER_PROMPT_PREFIX = "whisper-"


class Opening(StrEnum):
    """What the caller hears first in the queue, said by Asterisk so that nothing delays the join."""

    BRIDGE = "bridge"  # the bridging phrase: any hand-over
    UNHEARD = "unheard"  # the bot could not hear the caller (VoiceWatch's monitor_blind)


OPENING_PROMPTS = {Opening.BRIDGE: BRIDGING_PROMPT, Opening.UNHEARD: UNHEARD_PROMPT}


@cache
def music_classes() -> tuple[str, ...]:
    return tuple(re.findall(r"^\[([A-Za-z0-9_-]+)\]", _TEMPLATE.read_text(), re.MULTILINE))


def bridging_class(music_class: str, opening: Opening = Opening.BRIDGE) -> str:
    """The twin of ``music_class`` that opens with ``opening``'s line."""
    return f"cc-{opening.value}-{music_class}"


def opening_class_expression(music_class: str) -> str:
    """The dialplan's choice of twin: the one named by the channel variable ``CC_OPENING`` (set by
    pbx as it escalates, letters only), else the bridging twin (a caller sent to the queue by
    the dialplan's own fail-safe). No variable's value is ever part of an expression."""
    chosen = "${FILTER(a-z,${CC_OPENING})}"
    return f"cc-${{IF($[${{LEN(${{CC_OPENING}})}} > 0]?{chosen}:{Opening.BRIDGE.value})}}-{music_class}"


def bridging_twins(prompt_dir: str) -> str:
    """musiconhold.conf sections: each class's twins, inheriting its music (``[twin](class)``),
    announcing their prompt in ``prompt_dir`` (the folder as Asterisk sees it)."""
    folder = prompt_dir.rstrip("/")
    return "\n".join(
        f"[{bridging_class(name, opening)}]({name})\nannouncement = {folder}/{prompt}\n"
        for opening, prompt in OPENING_PROMPTS.items()
        for name in music_classes()
    )
