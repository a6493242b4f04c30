"""A bar chart as plain numbers for an inline SVG template (no JavaScript, no chart library, nothing |safe)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


def bar_chart(points, width: int = 720, height: int = 160, pad: int = 4) -> dict:
    """``points`` is [(label, value)]; returns the bars scaled to the box and the maximum for the axis."""
    points = list(points)
    top = max([v for _, v in points] + [1])
    step = width / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = (height - pad) * max(value, 0) / top
        bars.append(Bar(x=round(i * step + 1, 2), y=round(height - h, 2), width=round(max(step - 2, 1), 2),
                        height=round(h, 2), label=str(label), value=value))
    return {"bars": bars, "width": width, "height": height, "max": top}
