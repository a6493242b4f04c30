"""A bar chart with axes as plain numbers for an inline SVG template (no JavaScript, no chart library, nothing
|safe): bars, the y axis' ticks (round numbers from 0 to the top), the x axis' date labels, and the titles."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass
class Tick:
    at: float  # pixels along the axis
    label: str


def nice_top(value: int) -> tuple[int, int]:
    """(axis top, step) with round steps (1, 2, 5 × 10^n) and at most 5 ticks above zero."""
    value = max(int(value), 1)
    for base in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if value <= base * 5:
            return base * math.ceil(value / base), base
    step = 10 ** (len(str(value)) - 1)
    return step * math.ceil(value / step), step


def bar_chart(points, width: int = 760, height: int = 220, left: int = 48, right: int = 12, top: int = 12,
              bottom: int = 44, max_labels: int = 8) -> dict:
    """``points`` is [(label, value)]; returns bars scaled into the plot area, the axes' ticks and labels."""
    points = list(points)
    axis_top, step = nice_top(max([v for _, v in points] + [0]))
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = plot_h * max(value, 0) / axis_top
        bars.append(Bar(x=round(left + i * slot + 0.5, 2), y=round(top + plot_h - h, 2),
                        width=round(max(slot - 1, 1), 2), height=round(h, 2), label=str(label), value=value))
    y_ticks = [Tick(at=round(top + plot_h - plot_h * v / axis_top, 2), label=str(v))
               for v in range(0, axis_top + 1, step)]
    every = max(1, math.ceil(len(points) / max_labels))
    x_ticks = [Tick(at=round(left + (i + 0.5) * slot, 2), label=str(label))
               for i, (label, _) in enumerate(points) if i % every == 0]
    return {"bars": bars, "width": width, "height": height, "max": max([v for _, v in points] + [0]),
            "axis_top": axis_top, "y_ticks": y_ticks, "x_ticks": x_ticks, "left": left, "top": top,
            "plot_bottom": top + plot_h, "plot_right": width - right}
