"""The till prints what it sells, in Chromium: a sale paid on a tablet set up as a till prints its
receipt on that till's printer (a fake ESC/POS printer on loopback) and kicks its drawer for cash; a
printer out of paper says so on the till and the sale stays paid; "no sale" opens the drawer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import SHOP, log_in, midnight
from tests.browser.test_till_page import SIZES, newest_order
from tests.fake_printer import CHINESE_MODE, CUT, KICK_PIN_2, FakePrinter


@pytest.fixture
def till(server: str) -> Iterator[tuple[str, FakePrinter]]:
    """A till of its own with a receipt printer that prints every sale and opens the drawer on pin 2."""
    printer = FakePrinter()
    name = f"Till {uuid.uuid4().hex[:4]}"
    db = SHOP["db"]
    midnight(
        db,
        "printer",
        "add",
        f"{name} printer",
        "--network",
        printer.address,
        "--paper",
        "80",
        "--chinese",
        "gb18030",
    )
    midnight(db, "till", "add", name)
    midnight(db, "till", "set", name, "--printer", f"{name} printer", "--drawer-pin", "2", "--auto-print")
    midnight(db, "receive", "PINE", "20", "--cost", "9", "--expires", "2099-06-01")
    yield name, printer
    printer.close()


def set_up_as(page: Page, till: str) -> None:
    expect(page.locator("#use-as-till")).to_be_visible()  # the header line is the server's by now
    if page.locator("#who-here select").count():
        page.select_option("#who-here select", till)
    page.click("#use-as-till")
    expect(page.locator("#signed-in")).to_have_text(f"Signed in as ada on {till}")


@SIZES
def test_a_cash_sale_prints_its_receipt_on_the_tills_printer_and_opens_the_drawer(
    browser: Browser, server: str, till: tuple[str, FakePrinter], size: dict[str, int]
) -> None:
    name, printer = till
    page = log_in(browser, server, "ada", viewport=size)
    set_up_as(page, name)
    page.click("button.item[data-code=TIN]")
    expect(page.locator("#total")).to_have_text("HK$18.00")
    page.fill("#cash", "20")
    page.click("button[name=pay]")
    expect(page.locator("#change")).to_have_text("HK$2.00")
    expect(page.locator(".last-sale .print-status")).to_have_text(f"Receipt printed on {name} printer.")
    (sent,) = printer.wait_for(1)
    order = newest_order(page, server)
    assert order["till"] == name
    assert f"Order #{order['id']}".encode() in sent
    assert CHINESE_MODE in sent and "罐頭菠蘿".encode("gb18030") in sent
    assert KICK_PIN_2 in sent and CUT in sent
    page.close()


def test_a_printer_out_of_paper_says_so_on_the_till_and_the_sale_stays_paid(
    browser: Browser, server: str, till: tuple[str, FakePrinter]
) -> None:
    name, printer = till
    printer.paper = False
    page = log_in(browser, server, "ada")
    set_up_as(page, name)
    page.click("button.item[data-code=TIN]")
    page.click("button[data-card]")
    page.click("button[name=pay]")
    expect(page.locator("#change")).to_be_visible()
    status = page.locator(".last-sale .print-status")
    expect(status).to_contain_text("out of paper")
    expect(status).to_contain_text("the sale is recorded; reprint from Today's orders")
    assert newest_order(page, server)["state"] == "paid"
    # the next customer is served meanwhile
    page.click("button.item[data-code=TIN]")
    expect(page.locator("#total")).to_have_text("HK$18.00")
    page.close()


def test_no_sale_opens_the_drawer_with_a_reason(
    browser: Browser, server: str, till: tuple[str, FakePrinter]
) -> None:
    name, printer = till
    page = log_in(browser, server, "ada")
    set_up_as(page, name)
    page.click("summary >> text=Open the cash drawer")
    page.fill(".no-sale input[name=reason]", "change for the float")
    page.click(".no-sale button[type=submit]")
    expect(page.locator("#no-sale-status .print-status")).to_have_text("Cash drawer opened.")
    (sent,) = printer.wait_for(1)
    assert KICK_PIN_2 in sent and CUT not in sent
    page.close()
