"""Every page a person reaches, at tablet and phone size: no serious or critical axe-core findings,
and nothing scrolls sideways."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import SHOP, log_in, midnight, serious_violations

SIZES = pytest.mark.parametrize(
    "size", [{"width": 768, "height": 1024}, {"width": 390, "height": 844}], ids=["tablet", "phone"]
)


@pytest.fixture(scope="module")
def grocer(server: str) -> tuple[int, int]:
    """A supplier of tins with a sent order, for the Buying pages: (supplier, order)."""
    db = SHOP["db"]
    added = json.loads(midnight(db, "supplier", "add", "Lam Kee 林記", "--days", "tue,fri", "--json"))
    midnight(db, "supplier", "supply", "Lam Kee 林記", "PINE", "--cost", "9", "--pack", "24")
    made = json.loads(midnight(db, "po", "new", "Lam Kee 林記", "--line", "PINE=48", "--json"))
    midnight(db, "po", "send", str(made["order"]["id"]))
    return int(added["id"]), int(made["order"]["id"])


@SIZES
def test_every_page_is_usable_with_a_screen_reader_and_fits_the_screen(
    browser: Browser, server: str, size: dict[str, int], grocer: tuple[int, int]
) -> None:
    supplier, purchase = grocer
    outside = browser.new_page(viewport=size, base_url=server)
    outside.goto("/login")
    assert serious_violations(outside) == [], "/login"
    outside.close()
    owner = log_in(browser, server, "ada", viewport=size)
    owner.click("button.item[data-code=SALAD]")
    owner.wait_for_selector("#lines tr")
    owner.fill("#cash", "50")
    owner.click("button[name=pay]")
    owner.wait_for_selector("#change")
    session = next(c["value"] for c in owner.context.cookies() if c["name"] == "midnight_session")
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {session}"}) as api:
        order = json.loads(api.get("/api/orders", params={"limit": 1}).text)["items"][0]["id"]
    pages = [
        "/till",
        "/till/orders",
        "/till/offline",
        "/till/offline?state=recorded",
        f"/till/orders/{order}",
        f"/till/orders/{order}/receipt?width=58",
        "/stock",
        "/shelf",
        "/drawer",
        "/reports",
        "/admin",
        "/admin/pins",
        "/account",
        "/till/switch",  # this browser is not a till: the page says so (test_switch_page checks it as one)
        "/till/switch/kwan",
        "/kitchen",
        "/kitchen/Kitchen",  # with the salad just sold on it
        "/buying",
        "/buying/suppliers",
        f"/buying/suppliers/{supplier}",
        f"/buying/orders/{purchase}",
        f"/buying/orders/{purchase}/receive",
        f"/buying/orders/{purchase}/print",
        "/buying/suggestions?supplier=Lam Kee 林記",
        "/buying/unsold",
        "/no-such-page",
    ]
    found = {}
    for path in pages:
        owner.goto(path)
        problems = serious_violations(owner)
        if not owner.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"):
            problems.append("scrolls sideways")
        if problems:
            found[path] = problems
    assert found == {}
    owner.close()
