"""The tree stays easy to find one's way in: no module grows past 400 lines unnoticed."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pbx", "contactcenter", "workers", "voicewatch")
MAX_LINES = 400
# A module over the limit says why it is kept together in a comment or docstring line of its
# first five lines that contains this phrase.
KEPT_TOGETHER = "kept together"


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def test_the_packages_have_modules_to_check() -> None:
    assert len(_modules()) > 100


@pytest.mark.parametrize("module", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_400_lines_unless_it_says_why(module: Path) -> None:
    lines = module.read_text().splitlines()
    if len(lines) > MAX_LINES:
        head = "\n".join(lines[:5]).lower()
        assert KEPT_TOGETHER in head, f"{len(lines)} lines: split it by job, or say in its first lines why it is {KEPT_TOGETHER}"
