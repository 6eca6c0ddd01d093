"""The web UI in a real browser: the till, the stock board, the counter shelf, roles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in


def lot_quantities(page: Page, product: str) -> list[str]:
    page.goto(f"/stock?sku={product}")
    return [cell.inner_text() for cell in page.locator("table.board tbody td.qty").all()]


def test_ring_up_a_salad_and_a_tin_pay_cash_and_see_change_and_receipt(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "kwan")
    before = lot_quantities(page, "PINE")
    page.goto("/till")
    page.click("button.item[data-code=SALAD]")
    page.click("button.item[data-code=TIN]")
    expect(page.locator("#total")).to_have_text("HK$56.00")
    page.click(".quick >> text=HK$100.00")
    page.click("button[name=pay]")
    expect(page.locator("#change")).to_have_text("HK$44.00")
    page.click(".last-receipt summary")  # the receipt is one tap away
    receipt = page.locator("#receipt").inner_text()
    assert "Chef's salad" in receipt and "TOTAL" in receipt and "HK$56.00" in receipt
    # the tin came from the lot that expires first
    after = lot_quantities(page, "PINE")
    assert before == ["2 each", "200 each"] or before[0] != after[0]
    assert after[0] == f"{int(before[0].split()[0]) - 1} each"
    page.close()


def test_a_double_click_on_pay_records_one_order(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "ada")
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "midnight_session")

    def orders() -> int:
        with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {session}"}) as api:
            return len(json.loads(api.get("/api/orders", params={"limit": 1000}).text)["items"])

    count = orders()
    page.click("button.item[data-code=TIN]")
    expect(page.locator("#total")).to_have_text("HK$18.00")
    page.fill("#cash", "20")
    page.dblclick("button[name=pay]")
    expect(page.locator("#change")).to_be_visible()
    # and the same form once more, as a till retrying after a timeout: the key makes it harmless
    form = {
        "csrf": "x",
        "key": "retry-key",
        "code": "TIN",
        "qty": "1",
        "note": "",
        "cash": "20",
        "shown": "18.00",
    }
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    form["csrf"] = cookies["midnight_csrf"]
    for _ in range(2):
        sent = httpx.post(f"{server}/till/pay", data=form, cookies=cookies, headers={"Origin": server})
        assert sent.status_code == 200 and 'id="change"' in sent.text, sent.text
    assert orders() == count + 2  # the page's order and the retried one, each once
    page.close()


def test_receive_a_lot_by_typing_a_barcode(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "kwan")
    page.goto("/stock")
    page.fill("input[name=code]", "4891028164456")
    page.press("input[name=code]", "Enter")  # what a scanner does: it finds the product, books nothing
    expect(page.locator("#receive-found")).to_contain_text("Tinned pineapple")
    expect(page.locator(".flash")).to_have_count(0)
    page.fill("input[name=quantity]", "3")
    page.click("#receive button:has-text('Receive')")
    expect(page.locator(".flash")).to_contain_text("3 each of Tinned pineapple")
    page.fill("input[name=code]", "4891028164457")
    page.press("input[name=code]", "Enter")
    expect(page.locator(".has-error small.error")).to_contain_text("bad check digit")
    expect(page.locator("input[name=code]")).to_have_value("4891028164457")  # what was typed is kept
    page.close()


def test_hold_an_item_and_hand_it_over_with_its_code(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "kwan")
    page.goto("/shelf")
    page.fill("input[name=description]", "envelope with keys")
    page.fill("input[name=for_customer]", "663")
    page.fill("input[name=left_by]", "Ms Wong")
    page.click("section >> button[type=submit]")
    code = page.locator("#pickup-code").inner_text()
    assert re.fullmatch(r"\d{6}", code)
    page.reload()
    expect(page.locator("#pickup-code")).to_have_count(0)  # shown once
    row = page.locator("tr", has_text="envelope with keys")
    row.locator("input[name=code]").fill(code)
    row.locator("button").click()
    expect(page.locator(".flash")).to_contain_text("handed over to Mr Chan")
    expect(page.locator("tr", has_text="envelope with keys")).to_have_count(0)
    page.close()


def test_staff_are_refused_the_owner_pages(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "kwan")
    expect(page.locator("nav >> text=Admin")).to_have_count(0)
    for path in ("/admin", "/reports"):
        response = page.goto(path)
        assert response is not None and response.status == 403
        expect(page.locator("h1")).to_have_text("Not allowed")
    page.close()


def test_pages_without_a_session_go_to_login_and_forms_need_csrf(browser: Browser, server: str) -> None:
    page = browser.new_page(base_url=server)
    page.goto("/stock")
    assert page.url.endswith("/login")
    forged = httpx.post(f"{server}/login", data={"name": "ada", "password": "owner pass phrase"})
    assert forged.status_code == 422 and "reload the page" in forged.text
    page.close()


def test_the_till_works_on_a_phone_and_touch_targets_are_large(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "kwan", viewport={"width": 390, "height": 844})
    for button in [*page.locator("button.item").all(), page.locator("button[name=pay]")]:
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.close()


def test_every_main_page_renders_for_the_owner(browser: Browser, server: str, tmp_path: Path) -> None:
    """Screenshots to a temporary folder (docs/screenshots are made from the demo shop by scripts/screenshots)."""
    SCREENSHOTS = tmp_path
    owner = log_in(browser, server, "ada", viewport={"width": 1024, "height": 768})
    owner.click("button.item[data-code=SALAD]")
    owner.click("button.item[data-code=TIN]")
    expect(owner.locator("#total")).to_have_text("HK$56.00")
    owner.fill("#cash", "100")
    owner.click("button[name=pay]")
    expect(owner.locator("#change")).to_be_visible()
    owner.screenshot(path=str(SCREENSHOTS / "till.png"), full_page=True)
    for name in ("stock", "shelf", "reports", "admin"):
        owner.goto(f"/{name}")
        owner.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert all(
        (SCREENSHOTS / f"{n}.png").stat().st_size > 5000
        for n in ("till", "stock", "shelf", "reports", "admin")
    )
    owner.close()


def test_no_page_breaks_its_security_policy_at_tablet_or_phone_size(browser: Browser, server: str) -> None:
    """Under the Content-Security-Policy every script and style is the server's own: a page that
    still had an inline handler would log a refusal here, and the till would not work."""
    refused: list[str] = []

    def note(text: str) -> None:
        if "Content Security Policy" in text or "Error" in text:
            refused.append(text)

    for viewport in ({"width": 768, "height": 1024}, {"width": 390, "height": 844}):
        owner = log_in(browser, server, "ada", viewport=viewport)
        owner.on("console", lambda message: note(message.text))
        owner.on("pageerror", lambda error: note(f"Error: {error}"))
        owner.click("button.item[data-code=TIN]")  # the till's script (static/till.js) runs
        expect(owner.locator("#lines tr")).to_have_count(1)
        for name in ("stock", "shelf", "reports", "admin"):
            owner.goto(f"/{name}")
        assert refused == [], viewport
        owner.close()
        refused.clear()


def test_a_delivery_received_on_the_board_is_booked_once_however_often_the_page_reloads(
    browser: Browser, server: str
) -> None:
    page = log_in(browser, server, "kwan", viewport={"width": 768, "height": 1024})
    before = lot_quantities(page, "HAM")
    page.goto("/stock")
    page.fill("input[name=code]", "HAM")
    page.fill("input[name=quantity]", "4")
    page.click("#receive button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("4 each of Ham slice")
    page.reload()  # a person pressing reload after receiving
    page.reload()
    after = lot_quantities(page, "HAM")
    assert len(after) == len(before) + 1 and "4 each" in after  # one new lot, seen on the board
    page.close()
