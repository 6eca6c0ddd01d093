"""Server-drawn charts: every label inside the chart at both edges, and a name and description."""

from __future__ import annotations

import re

from midnight.services.analytics import Row
from midnight.web.charts import WIDTH, bars, text_width


def test_long_names_and_figures_stay_inside_the_chart_and_it_has_a_text_alternative() -> None:
    rows = [
        Row("廚師沙律配自家製油醋汁及烤雞胸肉 Chef's salad with home-made vinaigrette", 9, 12345600),
        Row("Tinned pineapple 罐頭菠蘿", 3, 5400),
        Row("x", 1, 1),
        # a bar a third of the width with a figure too long for the room after it or inside it
        Row("Milk 1 L", 40, 4115200),
    ]
    chart = bars(
        rows,
        lambda r: r.amount,
        lambda r: (
            f"HK${r.amount / 100:,.2f} ({r.quantity} sold)" + (" 33% wasted" if r.quantity == 40 else "")
        ),
        name="c",
        title="Sales",
    )
    assert 'role="img" aria-labelledby="c-title c-desc"' in chart.svg
    assert '<title id="c-title">Sales</title>' in chart.svg and '<desc id="c-desc">4 bars' in chart.svg
    for x, attributes, text in re.findall(r'<text x="(-?[\d.]+)"([^>]*)>([^<]*)</text>', chart.svg):
        width = text_width(text.replace("&#x27;", "'").replace("&amp;", "&"))
        left = float(x) - width if 'text-anchor="end"' in attributes else float(x)
        assert left >= 0 and left + width <= WIDTH, text
    assert (
        "HK$41,152.00 (40 sold) 33% wasted" in chart.svg
    )  # the long figure is drawn whole, on its name's line
    assert [what for what, _ in chart.rows] == [r.label for r in rows]  # the table has the whole names
    assert bars([], lambda r: r.amount, str, name="e", title="Empty").empty
