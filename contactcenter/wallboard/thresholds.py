"""When a wallboard figure turns amber or red: one band per figure, from settings over defaults.

Pure. A figure past its band's ``warn`` is ``warn`` (amber), past ``bad`` it is ``bad`` (red),
otherwise ``ok``; a figure without a band, or without a value yet, gets no level and stays
uncoloured. Which way is worse is the figure's own nature (:data:`LOWER_IS_WORSE`), not a
setting, so a band can never be configured upside down unnoticed.

``WALLBOARD_THRESHOLDS = {"service_level": {"warn": 0.9, "bad": 0.75}, "aht_s": {"warn": 300,
"bad": 480}, "waiting": None}`` changes two bands, adds one and removes one; an unknown figure
name or a band whose ``bad`` is not past its ``warn`` is refused at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["ok", "warn", "bad"]

# Rates are fractions (0.8 = 80 %), times seconds, counts callers.
LOWER_IS_WORSE = frozenset({"service_level", "containment_rate"})
HIGHER_IS_WORSE = frozenset({
    "abandon_rate", "asa_s", "longest_wait_s", "waiting", "occupancy", "aht_s", "escalation_latency_s",
    "agent_answer_s", "at_risk_unreserved",
})  # fmt: skip
FIGURES = LOWER_IS_WORSE | HIGHER_IS_WORSE


@dataclass(frozen=True)
class Band:
    warn: float
    bad: float
    lower_is_worse: bool = False

    def level(self, value: float | None) -> Level | None:
        if value is None:
            return None
        if self.lower_is_worse:
            return "bad" if value < self.bad else "warn" if value < self.warn else "ok"
        return "bad" if value > self.bad else "warn" if value > self.warn else "ok"


def default_bands(service_level_s: float) -> dict[str, Band]:
    """The defaults; the waiting times follow the service level's target (``WALLBOARD_SERVICE_LEVEL_S``)."""
    return {
        "service_level": Band(warn=0.80, bad=0.60, lower_is_worse=True),
        # Regulators commonly cap abandoned calls at 3 %; 5 % is well past it.
        "abandon_rate": Band(warn=0.03, bad=0.05),
        "asa_s": Band(warn=service_level_s / 2, bad=service_level_s),
        "longest_wait_s": Band(warn=service_level_s / 2, bad=service_level_s),
        "waiting": Band(warn=2, bad=5),
        "occupancy": Band(warn=0.85, bad=0.95),
        # A live human within 2 s of the decision is the goal the escalation path is built for.
        "escalation_latency_s": Band(warn=2.0, bad=5.0),
        "agent_answer_s": Band(warn=service_level_s / 2, bad=service_level_s),
        "at_risk_unreserved": Band(warn=0, bad=2),
    }


@dataclass(frozen=True)
class Thresholds:
    bands: Mapping[str, Band]

    def level(self, figure: str, value: float | None) -> Level | None:
        band = self.bands.get(figure)
        return band.level(value) if band is not None else None

    def levels(self, values: Mapping[str, float | None]) -> dict[str, Level]:
        """The level of each figure that has a band and a value (what the page colours)."""
        out: dict[str, Level] = {}
        for figure, value in values.items():
            level = self.level(figure, value)
            if level is not None:
                out[figure] = level
        return out

    def to_json(self) -> dict[str, dict[str, Any]]:
        return {name: {"warn": b.warn, "bad": b.bad, "lower_is_worse": b.lower_is_worse}
                for name, b in sorted(self.bands.items())}  # fmt: skip

    @classmethod
    def build(cls, service_level_s: float, overrides: Mapping[str, Any] | None = None) -> Thresholds:
        """The defaults with ``overrides`` (the setting's shape) applied; ValueError says what is wrong."""
        bands = default_bands(service_level_s)
        for figure, spec in (overrides or {}).items():
            if figure not in FIGURES:
                raise ValueError(f"unknown wallboard figure {figure!r} (known: {', '.join(sorted(FIGURES))})")
            if spec is None:
                bands.pop(figure, None)
                continue
            if not isinstance(spec, Mapping) or set(spec) != {"warn", "bad"}:
                raise ValueError(f"{figure}: give a mapping with exactly 'warn' and 'bad' (or None for no colour)")
            try:
                warn, bad = float(spec["warn"]), float(spec["bad"])
            except (TypeError, ValueError):
                raise ValueError(f"{figure}: 'warn' and 'bad' must be numbers") from None
            lower = figure in LOWER_IS_WORSE
            if (bad > warn) if lower else (bad < warn):
                worse = "below" if lower else "above"
                raise ValueError(f"{figure}: lower is {'worse' if lower else 'better'}, so 'bad' ({bad:g}) must be "
                                 f"at or {worse} 'warn' ({warn:g})")  # fmt: skip
            bands[figure] = Band(warn=warn, bad=bad, lower_is_worse=lower)
        return cls(bands)
