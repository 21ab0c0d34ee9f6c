"""Small server-side SVG charts: sparklines and the risk-history chart.

SVG drawn here works on pages without JavaScript and in WeasyPrint's PDFs alike; every chart
carries a ``<title>`` and an ``aria-label`` so screen readers get the numbers too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

Point = Sequence[float]
INK = "#1f3a5f"
ACCENT = "#b3261e"
GRID = "#d8dde3"


def _scale(
    values: Sequence[float], low: float, high: float, size: float, pad: float
) -> list[float]:
    span = (high - low) or 1.0
    return [pad + (v - low) / span * (size - 2 * pad) for v in values]


def sparkline(points: Sequence[Point], *, width: int = 120, height: int = 28) -> str:
    """A one-line trend of probabilities with the last point marked."""
    if len(points) < 2:
        return '<span class="muted">—</span>'
    years = [p[0] for p in points]
    values = [p[1] for p in points]
    xs = _scale(years, min(years), max(years), width, 2)
    ys = [height - y for y in _scale(values, 0.0, max(values), height, 3)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    summary = (
        f"Risk {years[0]:.0f}–{years[-1]:.0f}: from {values[0]:.1%} to {values[-1]:.1%}, "
        f"peak {max(values):.1%}"
    )
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(summary)}"><title>{escape(summary)}</title>'
        f'<polyline fill="none" stroke="{INK}" stroke-width="1.5" points="{path}"/>'
        f'<circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2.5" fill="{ACCENT}"/></svg>'
    )


def history_chart(
    points: Sequence[Point],
    *,
    interval: tuple[float, float] | None = None,
    width: int = 640,
    height: int = 220,
    title: str = "Risk history",
) -> str:
    """Probability by base year with gridlines, axis labels and the latest interval."""
    if not points:
        return '<p class="muted">No risk history available.</p>'
    years = [p[0] for p in points]
    values = [p[1] for p in points]
    top = max([*values, *(interval or ())]) * 1.15 or 0.01
    left, bottom, pad, right = 48, 26, 10, 22
    inner_w, inner_h = width - left - right, height - bottom - pad
    first, last = min(years), max(years)
    span = (last - first) or 1

    def x(year: float) -> float:
        return left + (year - first) / span * inner_w

    def y(value: float) -> float:
        return pad + inner_h - value / top * inner_h

    parts = [_grid(top, left, width - right + pad, pad, y), _year_ticks(first, last, x, height - 8)]
    line = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(years, values, strict=True))
    parts.append(f'<polyline fill="none" stroke="{INK}" stroke-width="2" points="{line}"/>')
    if interval is not None:
        parts.append(
            f'<line x1="{x(last):.1f}" x2="{x(last):.1f}" y1="{y(interval[0]):.1f}" '
            f'y2="{y(interval[1]):.1f}" stroke="{ACCENT}" stroke-width="3" opacity="0.5"/>'
        )
    parts.append(f'<circle cx="{x(last):.1f}" cy="{y(values[-1]):.1f}" r="4" fill="{ACCENT}"/>')
    summary = (
        f"{title}: {values[0]:.1%} in {first:.0f}, {values[-1]:.1%} in {last:.0f}, "
        f"highest {max(values):.1%} in {years[values.index(max(values))]:.0f}"
    )
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(summary)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(summary)}</title>{''.join(parts)}</svg>"
    )


def _grid(top: float, left: int, width: int, pad: int, y: Callable[[float], float]) -> str:
    step = _nice_step(top)
    shown = "{:.0%}" if step >= 0.01 else "{:.1%}"
    lines = []
    value = 0.0
    while value <= top + 1e-12:
        at = y(value)
        lines.append(
            f'<line x1="{left}" x2="{width - pad}" y1="{at:.1f}" y2="{at:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{at + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#555">{shown.format(value)}</text>'
        )
        value += step
    return "".join(lines)


def _nice_step(top: float) -> float:
    for step in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2):
        if top / step <= 5:
            return step
    return 0.25


def _year_ticks(first: float, last: float, x: Callable[[float], float], baseline: float) -> str:
    span = int(last - first)
    every = 5 if span > 12 else (2 if span > 5 else 1)
    ticks = [int(first)] + [
        year for year in range(int(first) + 1, int(last) + 1) if year % every == 0
    ]
    if int(last) not in ticks:
        ticks.append(int(last))
    return "".join(
        f'<text x="{x(year):.1f}" y="{baseline:.1f}" text-anchor="middle" '
        f'font-size="11" fill="#555">{year}</text>'
        for year in sorted(set(ticks))
    )
