"""Server-rendered SVG bar charts: nothing to download, nothing to run in the browser.

Each bar's name sits on its own line above the bar, so a long name (or one in Chinese) has the whole
width; the figure goes after the bar, or inside its end when there is no room after it, or at the end of
the name's line when it fits in neither (a short bar with a long figure). Text widths
are estimated generously (a full-width character counts as one em), so nothing is cut at either
edge. Every chart is an image with a name and a description, and its figures come as a table too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from midnight.services.analytics import Row

FONT = 13  # px in the chart's own units (style.css draws chart text at this size)
WIDTH = 360  # the viewBox: about a phone's width, so text stays legible when the chart is scaled
PAD = 4
BAR = 18
LABEL = 17  # a name's line, above its bar
GAP = 10
NAME_KEPT = 80  # of a name's line, kept for the name when a figure shares it


def text_width(text: str, size: int = FONT) -> float:
    """A safe over-estimate of how wide `text` is drawn: full-width characters one em, others 0.62."""
    return sum(size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.62) for ch in text)


def fit(text: str, room: float, size: int = FONT) -> str:
    """`text`, shortened with an ellipsis if it would be wider than `room`."""
    if text_width(text, size) <= room:
        return text
    shown = text
    while shown and text_width(shown + "…", size) > room:
        shown = shown[:-1]
    return shown.rstrip() + "…"


@dataclass(frozen=True)
class Chart:
    """A chart (SVG markup) and the same figures as rows of a table."""

    name: str
    title: str
    svg: str
    rows: list[tuple[str, str]]  # (what, figure)
    empty: bool


def bars(
    rows: list[Row], value: Callable[[Row], int], label: Callable[[Row], str], *, name: str, title: str
) -> Chart:
    """A horizontal bar chart, one bar per row, in the order given (largest first)."""
    figures = [(row.label, label(row)) for row in rows]
    if not rows:
        return Chart(name, title, "", [], True)
    top = max(value(r) for r in rows) or 1
    step = LABEL + BAR + GAP
    height = len(rows) * step + PAD
    room = WIDTH - 2 * PAD
    first_what, first_figure = figures[0]
    description = (
        f"{len(rows)} bar{'s' if len(rows) != 1 else ''}, largest first: {first_what}, {first_figure}. "
        "The figures are in the table below the chart."
    )
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{name}-title {name}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{name}-title">{escape(title)}</title>',
        f'<desc id="{name}-desc">{escape(description)}</desc>',
    ]
    for n, (row, (what, figure)) in enumerate(zip(rows, figures, strict=True)):
        y = PAD + n * step
        bar_y = y + LABEL
        length = max(2, round(room * value(row) / top))
        figure_width = text_width(figure)
        after = WIDTH - PAD - (PAD + length + 6)  # room after the bar
        line_room = room - NAME_KEPT
        # Fits neither after the bar nor inside it: at the end of the name's line, unless there is
        # more room after the bar (then shortened there; the table below has it whole).
        on_name_line = figure_width > after and figure_width > length - 12 and line_room > after
        name_room = room
        if on_name_line:
            figure = fit(figure, line_room)
            name_room = room - text_width(figure) - 8
            parts.append(
                f'<text x="{WIDTH - PAD}" y="{y + FONT}" font-size="{FONT}" text-anchor="end" '
                f'aria-hidden="true">{escape(figure)}</text>'
            )
        parts.append(
            f'<text x="{PAD}" y="{y + FONT}" font-size="{FONT}" aria-hidden="true">'
            f"{escape(fit(what, name_room))}</text>"
        )
        parts.append(
            f'<rect x="{PAD}" y="{bar_y}" width="{length}" height="{BAR}" rx="3" fill="#a8171c"></rect>'
        )
        baseline = bar_y + BAR - 5
        if on_name_line:
            continue
        if figure_width <= after or figure_width > length - 12:
            parts.append(
                f'<text x="{PAD + length + 6}" y="{baseline}" font-size="{FONT}" aria-hidden="true">'
                f"{escape(fit(figure, after))}</text>"
            )
        else:  # no room after the bar: inside its end, in white (the bar is long enough to hold it)
            parts.append(
                f'<text x="{PAD + length - 6}" y="{baseline}" font-size="{FONT}" text-anchor="end" '
                f'fill="#fff" aria-hidden="true">{escape(figure)}</text>'
            )
    parts.append("</svg>")
    return Chart(name, title, "".join(parts), figures, False)
