"""Reports in a real browser, at a tablet and a phone: closing exactly the day shown, with the cash
counted; charts whose labels fit and that a screen reader can read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in, serious_violations

VIEWPORTS = {"tablet": {"width": 768, "height": 1024}, "phone": {"width": 390, "height": 844}}
DAYS_AGO = {"tablet": 1, "phone": 2}  # each size closes its own past day: a day closes once


def api(page: Page, server: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "midnight_session")
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {session}"}) as client:
        return client.request(method, path, **kwargs)


def shop_today(page: Page, server: str) -> dt.date:
    """The business day the server is on (the demo store is in Hong Kong)."""
    return dt.date.fromisoformat(api(page, server, "GET", "/api/reports/x").json()["business_date"])


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_close_the_day_shown_with_the_cash_counted(browser: Browser, server: str, size: str) -> None:
    page = log_in(browser, server, "ada", viewport=VIEWPORTS[size])
    sold = api(
        page,
        server,
        "POST",
        "/api/orders",
        json={"lines": [{"code": "TIN"}], "payments": [{"method": "cash", "amount": "20"}]},
        headers={"Idempotency-Key": f"reports-{size}"},
    )
    assert sold.status_code == 201, sold.text
    today = shop_today(page, server)
    day = today - dt.timedelta(days=DAYS_AGO[size])
    shown = day.strftime("%a %Y-%m-%d")
    page.goto(f"/reports?end={day.isoformat()}")
    expect(page.locator("#day-report-title")).to_contain_text(f"X report — business day {shown}")
    page.get_by_role("link", name=f"Close {shown} (Z)…").click()
    expect(page.locator("h1")).to_have_text(f"Close business day {shown} (Z)")
    expect(page.locator("#cash-expected")).to_have_text("HK$0.00")  # nothing was sold that day
    page.get_by_text("Or count the notes and coins").click()
    page.get_by_label("HK$10.00 ×").fill("1")
    page.get_by_label("HK$0.50 ×").fill("1")
    expect(page.locator(".count-total")).to_have_text(
        "The notes and coins come to HK$10.50."
    )  # the server added
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
    page.get_by_role("button", name=f"Close {shown}").click()
    expect(page.locator("#day-report-title")).to_have_text(f"Z report — business day {shown}")
    expect(page.locator("tr.cash-counted td")).to_have_text("HK$10.50")
    expect(page.locator("tr.over-short td")).to_have_text("HK$10.50 over")
    recorded = api(page, server, "GET", f"/api/reports/z/{day.isoformat()}").json()
    assert (recorded["business_date"], recorded["cash_counted"], recorded["over_short"]) == (
        day.isoformat(),
        1050,
        1050,
    )
    assert (
        api(page, server, "GET", f"/api/reports/z/{today.isoformat()}").status_code == 404
    )  # today stays open
    # Coming back to close it again says it is closed, and when.
    page.goto(f"/reports/close?date={day.isoformat()}")
    expect(page.locator("p.error")).to_contain_text(f"{shown} was already closed")
    expect(page.get_by_role("button", name=f"Close {shown}")).to_have_count(0)
    page.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_charts_fit_their_labels_and_have_a_text_alternative(
    browser: Browser, server: str, size: str
) -> None:
    page = log_in(browser, server, "ada", viewport=VIEWPORTS[size])
    for n, code in enumerate(("SALAD", "TIN", "SALAD")):
        api(
            page,
            server,
            "POST",
            "/api/orders",
            json={
                "lines": [{"code": code}],
                "payments": [{"method": "card", "amount": "38" if code == "SALAD" else "18"}],
            },
            headers={"Idempotency-Key": f"charts-{size}-{n}"},
        )
    page.goto("/reports")
    charts = page.locator("svg.chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img"
        labelled = (chart.get_attribute("aria-labelledby") or "").split()
        assert len(labelled) == 2
        name = page.locator(f"[id='{labelled[0]}']").text_content() or ""
        assert name.startswith(
            (
                "Sales by item",
                "Sales by hour",
                "Waste",
                "Choices made",
                "Forecast against",
                "Suggested against",
            )
        )
        # every label drawn inside the chart's own box, at both edges
        overflow = chart.evaluate(
            """svg => {
                const box = svg.viewBox.baseVal;
                return [...svg.querySelectorAll('text')].map(t => t.getBBox())
                  .filter(b => b.x < 0 || b.x + b.width > box.width || b.y < 0 || b.y + b.height > box.height)
                  .length }"""
        )
        assert overflow == 0
    by_item = page.locator("section", has=page.locator("#by-item-heading"))
    by_item.get_by_text("The figures as a table").click()
    rows = by_item.locator("details.chart-table tbody tr")
    expect(rows.first).to_be_visible()
    shown = [row.inner_text() for row in rows.all()]  # other tests' sales may come first
    assert any("Chef's salad" in row and "HK$" in row for row in shown), shown
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
    page.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_waste_share_chart_shows_what_the_server_reports(
    browser: Browser, server: str, size: str
) -> None:
    page = log_in(browser, server, "ada", viewport=VIEWPORTS[size])
    sku = f"CREAM-{size.upper()}"
    created = api(
        page,
        server,
        "POST",
        "/api/products",
        json={"sku": sku, "name": f"Cream {size}", "expiry_kind": "use_by", "shelf_life_days": 10},
    )
    assert created.status_code == 201, created.text
    lot = api(
        page, server, "POST", "/api/stock/receive", json={"sku": sku, "quantity": "8", "cost": "5"}
    ).json()["lot"]
    gone = api(
        page, server, "POST", f"/api/lots/{lot['id']}/waste", json={"quantity": "2", "reason": "spilt"}
    )
    assert gone.status_code in (200, 201), gone.text
    today = shop_today(page, server)
    (total,) = [
        r
        for r in api(
            page, server, "GET", "/api/reports/waste-share", params={"start": str(today), "end": str(today)}
        ).json()
        if r["sku"] == sku and r["reason"] == ""
    ]
    assert total["percent"] == "25.0"
    page.goto("/reports")
    section = page.locator("section", has=page.locator("#waste-share-heading"))
    section.get_by_text("The figures as a table").click()
    row = section.locator("details.chart-table tbody tr", has_text=f"Cream {size}")
    expect(row).to_contain_text("25.0% of received (HK$10.00 of HK$40.00)")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
    page.close()


def test_a_wrong_date_on_the_reports_page_is_a_sentence_not_json(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "ada", viewport=VIEWPORTS["phone"])
    page.goto("/reports?end=2026-02-30")
    expect(page.locator("p.error")).to_contain_text("End 2026-02-30 is not a real calendar date")
    response = page.goto("/reports/close")
    assert response is not None and response.status == 422
    expect(page.locator("p.error")).to_have_text(
        "say which day to close: open this page from that day's report"
    )
    assert "{" not in page.locator("main").inner_text()
    page.close()
