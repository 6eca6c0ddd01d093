"""The counter shelf in a real browser, at a tablet and a phone: holding for someone new, handing over by code."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in, serious_violations

VIEWPORTS = {"tablet": {"width": 768, "height": 1024}, "phone": {"width": 390, "height": 844}}


def api(page: Page, server: str, method: str, path: str, **kwargs: Any) -> Any:
    """What the server recorded, asked with the page's own session."""
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "midnight_session")
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {session}"}) as client:
        answer = client.request(method, path, **kwargs)
        return answer.json()


def no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def in_view(page: Page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    viewport = page.viewport_size
    assert viewport is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_holding_for_someone_unknown_says_so_on_the_for_box_and_adds_them_once(
    browser: Browser, server: str, size: str
) -> None:
    page = log_in(browser, server, "kwan", viewport=VIEWPORTS[size])
    page.goto("/shelf")
    name = f"Mrs Lee {size}"
    page.fill("input[name=description]", "birthday cake")
    page.fill("input[name=for_customer]", name)
    page.fill("input[name=shelf_slot]", "C1")
    page.click("#hold-form button.primary")
    box = page.locator("label.field.has-error", has=page.locator("input[name=for_customer]"))
    expect(box.locator("small.error")).to_have_text(f"no customer is called '{name}'")
    expect(box.locator("small.error")).to_be_visible()
    expect(page.locator("input[name=for_customer]")).to_have_value(name)  # what was typed is kept
    expect(page.locator("input[name=shelf_slot]")).to_have_value("C1")
    offer = page.get_by_role("button", name=f"Add “{name}” as a new customer and hold")
    expect(offer).to_be_visible()
    assert serious_violations(page) == []
    no_sideways_scroll(page, VIEWPORTS[size]["width"])
    offer.dblclick()  # a double tap: the form's key holds it once
    code = page.locator("#pickup-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    found = api(page, server, "GET", "/api/customers", params={"q": name})["items"]
    assert [c["name"] for c in found] == [name]
    waiting = api(page, server, "GET", "/api/holds", params={"customer": f"#{found[0]['id']}"})["items"]
    assert [(h["description"], h["shelf_slot"]) for h in waiting] == [("birthday cake", "C1")]
    page.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_hand_over_by_typing_the_pickup_code(browser: Browser, server: str, size: str) -> None:
    page = log_in(browser, server, "kwan", viewport=VIEWPORTS[size])
    page.goto("/shelf")
    what = f"envelope with keys ({size})"
    page.fill("input[name=description]", what)
    page.fill("input[name=for_customer]", "663")
    page.click("#hold-form button.primary")
    code = page.locator("#pickup-code").inner_text()
    page.reload()
    wrong = "000000" if code != "000000" else "111111"
    page.fill("#find-code", "12345")
    page.press("#find-code", "Enter")
    expect(page.locator("#find-error")).to_have_text("a pickup code is six digits, like 042917")
    expect(page.locator("#find-code")).to_have_value("12345")
    page.fill("#find-code", wrong)
    page.press("#find-code", "Enter")
    expect(page.locator("#find-error")).to_contain_text(f"no item waiting has the pickup code {wrong}")
    expect(page.locator("#find-error")).to_contain_text("(4 tries left)")
    page.fill("#find-code", code)
    page.press("#find-code", "Enter")
    panel = page.locator(".found")
    expect(panel).to_have_count(1)
    expect(panel.locator(".found-item")).to_contain_text(what)
    expect(panel.locator(".for")).to_have_text("Mr Chan 陳先生")
    expect(panel.get_by_label("I checked it is Mr Chan 陳先生")).to_be_visible()
    in_view(page, ".found button.primary")
    assert serious_violations(page) == []
    no_sideways_scroll(page, VIEWPORTS[size]["width"])
    panel.get_by_label("I checked it is Mr Chan 陳先生").check()
    panel.get_by_role("button", name="Hand over").click()
    expect(page.locator(".flash")).to_contain_text("handed over to Mr Chan")
    expect(page.locator("tr", has_text=what)).to_have_count(0)
    done = [
        h
        for h in api(page, server, "GET", "/api/holds", params={"all": "true"})["items"]
        if h["description"] == what
    ]
    assert done[0]["state"] == "picked_up"
    assert done[0]["history"][-1]["detail"] == "with the pickup code, identity checked by kwan"
    page.close()
