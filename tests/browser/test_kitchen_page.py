"""The kitchen's screen in Chromium at tablet and phone size: a salad paid on the till appears on it by
itself with its call number, and Bump takes it off."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in

SIZES = pytest.mark.parametrize(
    "size", [{"width": 768, "height": 1024}, {"width": 390, "height": 844}], ids=["tablet", "phone"]
)


def api(page: Page, server: str) -> httpx.Client:
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "midnight_session")
    return httpx.Client(base_url=server, headers={"Authorization": f"Bearer {session}"})


def clear_the_board(page: Page, server: str) -> None:
    """Bump whatever earlier tests' salads left on the screen, so this test's ticket is on its first page."""
    with api(page, server) as client:
        while True:
            waiting = json.loads(client.get("/api/kitchen/Kitchen/tickets", params={"limit": 100}).text)[
                "items"
            ]
            if not waiting:
                return
            for ticket in waiting:
                assert client.post(f"/api/kitchen/tickets/{ticket['id']}/bump").status_code == 200


@SIZES
def test_a_sale_paid_on_the_till_appears_on_the_kitchen_screen_and_bump_takes_it_off(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    kitchen = log_in(browser, server, "kwan", viewport=size)
    clear_the_board(kitchen, server)
    kitchen.goto("/kitchen")
    kitchen.click("a.station-link:has-text('Kitchen')")
    kitchen.wait_for_url("**/kitchen/Kitchen")
    expect(kitchen.locator("#board-count")).to_contain_text("Nothing to make")
    kitchen.evaluate("window.stillThisPage = true")  # a reload would lose it

    till = log_in(browser, server, "ada", viewport=size)
    till.click("button.item[data-code=SALAD]")
    till.wait_for_selector("#lines tr")
    till.fill("#cash", "50")
    till.click("button[name=pay]")
    till.wait_for_selector("#change")
    with api(till, server) as client:
        order = json.loads(client.get("/api/orders", params={"limit": 1}).text)["items"][0]
    number = order["call_number"]
    till.close()

    card = kitchen.locator(f"article.ticket[data-call='{number}']")
    expect(card).to_be_visible()  # polled in, without reloading the page
    assert kitchen.evaluate("window.stillThisPage === true")
    expect(card.locator("h2.call")).to_have_text(f"Order number #{number}")
    expect(card.locator(".ticket-items")).to_contain_text("1 × 廚師沙律 Chef's salad")
    expect(card.locator(".age")).to_have_text(re.compile(r"waiting (now|\d+ min)"))
    expect(kitchen.locator("#board-count")).to_contain_text("1 to make")
    bump = card.locator("button.bump")
    box = bump.bounding_box()
    assert box is not None and box["height"] >= 56 and box["width"] >= 200  # a big target for a wet hand
    assert kitchen.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")

    bump.click()
    expect(card).to_have_count(0)
    expect(kitchen.locator("#board-count")).to_contain_text("Nothing to make")
    expect(kitchen.locator(".recall")).to_contain_text(f"#{number}")
    with api(kitchen, server) as client:
        assert json.loads(client.get("/api/kitchen/Kitchen/tickets").text)["items"] == []

    kitchen.click(f".recall button:has-text('Recall #{number}')")
    expect(card).to_be_visible()
    card.locator("button.bump").click()
    expect(card).to_have_count(0)
    kitchen.close()
