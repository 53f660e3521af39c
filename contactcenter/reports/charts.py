"""Charts drawn on the server as inline SVG: bars, one per row. No chart library, no script,
nothing fetched by the browser; labels are escaped (campaign names come from users)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

BAR_H, GAP, LABEL_W, BAR_W, VALUE_W = 18, 6, 160, 360, 80


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as shown beside the bar


def bars(title: str, items: Sequence[Bar], *, scale_max: float | None = None) -> str:
    """Horizontal bars; ``scale_max`` fixes the scale (1.0 for ratios), else the largest value."""
    top = scale_max if scale_max is not None else max((b.value or 0.0 for b in items), default=0.0)
    height = len(items) * (BAR_H + GAP) + GAP
    width = LABEL_W + BAR_W + VALUE_W
    out = [f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
           f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" xmlns="http://www.w3.org/2000/svg">']  # fmt: skip
    for i, bar in enumerate(items):
        y = GAP + i * (BAR_H + GAP)
        length = 0.0 if not top or bar.value is None else max(0.0, min(1.0, bar.value / top)) * BAR_W
        label = bar.label if len(bar.label) <= 24 else bar.label[:23] + "…"
        out.append(
            f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 5}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{length:.1f}" height="{BAR_H}" class="bar"/>'
            f'<text x="{LABEL_W + length + 6:.1f}" y="{y + BAR_H - 5}">{escape(bar.text)}</text>'
        )
    out.append("</svg></figure>")
    return "".join(out)
