"""Server-rendered SVG bar charts: nothing to download, nothing to run in the browser."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from midnight.services.analytics import Row


def bars(
    rows: list[Row], value: Callable[[Row], int], label: Callable[[Row], str], *, width: int = 520
) -> str:
    """A horizontal bar chart, one bar per row, longest first as given."""
    if not rows:
        return '<p class="muted">Nothing in this period.</p>'
    bar_h, gap, left, right = 22, 6, 170, 110
    top = max(value(r) for r in rows) or 1
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    for n, row in enumerate(rows):
        y = gap + n * (bar_h + gap)
        length = max(1, round((width - left - right) * value(row) / top))
        name = escape(row.label if len(row.label) <= 26 else row.label[:25] + "…")
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{name}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{length}" height="{bar_h}" rx="3" fill="#a8171c"><title>{escape(row.label)}</title></rect>'
        )
        parts.append(f'<text x="{left + length + 6}" y="{y + 15}">{escape(label(row))}</text>')
    parts.append("</svg>")
    return "".join(parts)
