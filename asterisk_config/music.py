"""The music-on-hold classes Asterisk has: the sections of the rendered ``musiconhold.conf``.

A queue naming another class would play the default one with only a warning in Asterisk's
log; the management plane refuses it instead.

Each class has a bridging twin (``cc-bridge-<class>``): the same music, opened by the bot's
bridging phrase (``announcement``). The queue extension gives the caller the twin before
Queue(), so the phrase plays while agents already ring and the music follows without a gap
(res_musiconhold plays a class's announcement when the music starts, then between songs).
pbx writes the phrase once at start-up (``pbx.bot.prompt_files``); until it has, the twin
plays its music alone. Twins are not choices of their own: ``music_classes`` leaves them out.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_TEMPLATE = Path(__file__).with_name("templates") / "musiconhold.conf"
# The instance's prompt folder (under its instance_dir), where pbx writes prompts Asterisk plays
# (pbx.bot.prompt_files; PBX_MEDIA_DIR_ASTERISK in the stack), and two of its files (no extension):
PROMPT_DIR = "spool/media"
# the bridging phrase, which the twins announce;
BRIDGING_PROMPT = "cc-bridging-phrase"
# each escalated call's whispered summary: this and the call id (letters, digits and '-' of it).
WHISPER_PROMPT_PREFIX = "whisper-"
_TWIN_PREFIX = "cc-bridge-"


@cache
def music_classes() -> tuple[str, ...]:
    return tuple(re.findall(r"^\[([A-Za-z0-9_-]+)\]", _TEMPLATE.read_text(), re.MULTILINE))


def bridging_class(music_class: str) -> str:
    """The twin of ``music_class`` that opens with the bridging phrase."""
    return f"{_TWIN_PREFIX}{music_class}"


def bridging_twins(prompt_dir: str) -> str:
    """musiconhold.conf sections: each class's twin, inheriting its music (``[twin](class)``),
    announcing ``prompt_dir``/``BRIDGING_PROMPT`` (the folder as Asterisk sees it)."""
    announcement = f"{prompt_dir.rstrip('/')}/{BRIDGING_PROMPT}"
    return "\n".join(f"[{bridging_class(name)}]({name})\nannouncement = {announcement}\n" for name in music_classes())
