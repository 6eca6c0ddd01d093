"""The cash drawer in a real browser, at a tablet and a phone: a shift from float to count."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in, serious_violations

VIEWPORTS = {"tablet": {"width": 768, "height": 1024}, "phone": {"width": 390, "height": 844}}


def api(page: Page, server: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "midnight_session")
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {session}"}) as client:
        return client.request(method, path, **kwargs)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_a_shift_from_float_to_count(browser: Browser, server: str, size: str) -> None:
    page = log_in(browser, server, "kwan", viewport=VIEWPORTS[size])
    page.get_by_role("link", name="Cash drawer").click()
    expect(page.locator("h1")).to_have_text("Cash drawer")
    page.get_by_label("Till").fill(f"Till {size}")
    page.get_by_label("Float").fill("200")
    page.get_by_role("button", name="Open the drawer").click()
    expect(page.locator("#session-title")).to_contain_text(f"Till {size} — kwan")
    expect(page.locator("#expected")).to_have_text("HK$200.00")
    sold = api(
        page,
        server,
        "POST",
        "/api/orders",
        json={"lines": [{"code": "TIN"}], "payments": [{"method": "cash", "amount": "20"}]},
        headers={"Idempotency-Key": f"drawer-{size}"},
    )
    assert sold.status_code == 201, sold.text
    page.reload()
    expect(page.locator("#expected")).to_have_text("HK$218.00")  # float + the HK$18 cash sale
    page.get_by_label("Amount").fill("5")
    page.get_by_label("Why (e.g. milk from the corner shop)").fill("ice")
    page.get_by_role("button", name="Pay out").dblclick()  # a double tap records one pay-out
    expect(page.locator("#expected")).to_have_text("HK$213.00")
    expect(page.locator("table.moves tbody tr")).to_have_count(1)
    # a pay-out without a reason is refused on its box, and what was typed stays
    page.get_by_label("Amount").fill("3")
    page.get_by_role("button", name="Pay out").click()
    expect(page.locator("input[name=reason]:invalid")).to_have_count(1)  # the browser asks first
    page.get_by_text("Or count the notes and coins").click()
    page.get_by_label("HK$100.00 ×").fill("2")
    page.get_by_label("HK$10.00 ×").fill("1")
    page.get_by_label("HK$2.00 ×").fill("1")
    expect(page.locator(".count-total")).to_have_text("The notes and coins come to HK$212.00.")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
    page.get_by_role("button", name="Close the drawer").click()
    expect(page.locator("#expected")).to_have_text("HK$213.00")
    expect(page.locator("#counted")).to_have_text("HK$212.00")
    expect(page.locator("#over-short")).to_have_text("HK$1.00 short")
    expect(page.get_by_role("button", name="Close the drawer")).to_have_count(0)
    mine = api(page, server, "GET", "/api/drawers").json()["items"]
    assert {s["opened_by"] for s in mine} == {"kwan"}
    count = mine[0]["count"]
    assert (count["expected"], count["counted"], count["over_short"]) == (21300, 21200, -100)
    assert count["denominations"] == {"10000": 2, "1000": 1, "200": 1}
    assert serious_violations(page) == []
    page.close()


def test_the_owner_sees_every_drawer_and_staff_see_their_own(browser: Browser, server: str) -> None:
    staff = log_in(browser, server, "kwan", viewport=VIEWPORTS["phone"])
    staff.goto("/drawer")
    if staff.get_by_role("button", name="Open the drawer").count():
        staff.get_by_label("Till").fill("Till 9")
        staff.get_by_role("button", name="Open the drawer").click()
    expect(staff.locator("#sessions-title")).to_have_text("Your drawers")
    owner = log_in(browser, server, "ada", viewport=VIEWPORTS["tablet"])
    owner.goto("/drawer")
    expect(owner.locator("#sessions-title")).to_have_text("Every drawer")
    expect(owner.locator("table.sessions tbody tr", has_text="kwan").first).to_be_visible()
    owner.locator("table.sessions tbody tr", has_text="kwan").first.get_by_role("link").click()
    expect(owner.locator("#session-title")).to_contain_text("kwan")
    assert serious_violations(owner) == []
    staff.close()
    owner.close()
