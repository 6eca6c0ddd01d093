"""The Buying pages in Chromium at a tablet's and a phone's size, used as a person would: a delivery
taken in at the door by scanner (a GS1 code brings its date and batch, a bare EAN asks for the date,
the cursor is back in the scan box after every scan), a suggestion changed and made a draft, a
markdown applied from "will expire unsold" and then charged at the till. Each time the screen is
compared with what the server recorded, read through the API."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import SHOP, log_in, midnight, scan, session_api

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("size", [TABLET, PHONE], ids=["tablet", "phone"])
YOG_BARCODE = "4891234567010"
DAIRY = "Shek O Dairy 石澳牛奶"


def _day(n: int) -> dt.date:
    """n days from the shop's today (its zone is Hong Kong's, which may already be tomorrow here)."""
    return dt.datetime.now(ZoneInfo("Asia/Hong_Kong")).date() + dt.timedelta(days=n)


@pytest.fixture(scope="module", autouse=True)
def dairy(server: str) -> None:
    """Yoghurt of this file's own (no other test sells it), bought in sixes from a dairy of its own."""
    db = SHOP["db"]
    midnight(db, "product", "add", "YOG", "Yoghurt 乳酪", "--shelf-life", "10", "--barcode", YOG_BARCODE)
    midnight(db, "menu", "add", "YOGC", "Yoghurt cup 乳酪杯", "--price", "12", "--product", "YOG")
    midnight(db, "supplier", "add", DAIRY, "--days", "mon,tue,wed,thu,fri,sat,sun", "--lead-time", "1")
    midnight(db, "supplier", "supply", DAIRY, "YOG", "--cost", "4", "--pack", "6", "--code", "SO-Y")


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def sent_order(quantity: int) -> int:
    """A yoghurt order sent to the dairy (it has no address, so it is marked sent)."""
    made = json.loads(midnight(SHOP["db"], "po", "new", DAIRY, "--line", f"YOG={quantity}", "--json"))
    midnight(SHOP["db"], "po", "send", str(made["order"]["id"]))
    return int(made["order"]["id"])


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"scrolls sideways: {width}px"  # type: ignore[index]


def received_on_screen(page: Page) -> str:
    return page.locator("#lines tr[data-sku=YOG] td.received").inner_text()


@SIZES
def test_a_delivery_is_taken_in_at_the_door_by_scanner_with_the_cursor_always_back_in_the_scan_box(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    order = sent_order(12)
    expiry = _day(20)
    batch = f"B{size['width']}"
    page = log_in(browser, server, "kwan", viewport=size)  # staff take deliveries in
    page.goto("/buying")
    page.get_by_role("link", name=re.compile(rf"PO-0*{order}\b")).first.click()
    page.get_by_role("link", name=re.compile("Receive")).first.click()
    expect(page).to_have_url(re.compile(rf"/buying/orders/{order}/receive$"))
    expect(page.locator("#scan")).to_be_focused()
    no_sideways_scroll(page)

    # a case of six, its GS1 code with the date (AI 17) and batch (AI 10): one scan, nothing typed;
    # scanned before the cursor is in the box (nothing has it), no key is lost
    page.fill("#receive-form input[name=quantity]", "6")
    page.evaluate("document.activeElement.blur()")
    scan(page, f"(01)0{YOG_BARCODE}(17){expiry:%y%m%d}(10){batch}")
    flash = page.locator("p.flash")
    expect(flash).to_contain_text("Took in 6 each of Yoghurt 乳酪 as lot")
    expect(flash).to_contain_text(expiry.isoformat())
    expect(page.locator("#scan")).to_be_focused()
    expect(page.locator("#scan")).to_have_value("")
    assert received_on_screen(page) == "6"

    with session_api(page, server) as client:
        lines = ok(client.get(f"/api/purchase-orders/{order}"))["lines"]
        assert [(line["sku"], line["received"]) for line in lines] == [("YOG", "6")]
        lot = int(re.search(r"as lot (\d+)", flash.inner_text()).group(1))  # type: ignore[union-attr]
        recorded = ok(client.get(f"/api/lots/{lot}"))
        assert (recorded["expiry_date"], recorded["batch"], recorded["quantity"]) == (
            expiry.isoformat(),
            batch,
            "6",
        )

    # a bare EAN has no date: the page asks for it, keeps the scan, and the cursor goes to the date
    page.fill("#receive-form input[name=quantity]", "6")
    page.focus("#scan")
    scan(page, YOG_BARCODE)
    date_box = page.locator("#receive-form input[name=expires]")
    expect(date_box).to_be_focused()
    expect(page.locator("#receive-form .has-error .error")).to_contain_text("type the date printed on it")
    expect(date_box).to_have_value(_day(10).isoformat())  # its shelf life
    expect(page.locator("#scan")).to_have_value(YOG_BARCODE)
    assert received_on_screen(page) == "6"  # nothing taken in yet
    page.keyboard.type(_day(15).isoformat())  # the date offered is selected: typing replaces it
    page.keyboard.press("Enter")
    expect(flash).to_contain_text(_day(15).isoformat())
    assert received_on_screen(page) == "12"
    # that was everything: the page says so, and the order stays open for the rest of the delivery
    expect(flash).to_contain_text(
        "Everything ordered has come: finish receiving once the whole delivery is in"
    )
    expect(page.locator("#scan")).to_be_focused()
    page.get_by_role("button", name=re.compile("finish receiving")).click()
    expect(page.locator("#no-differences")).to_be_visible()
    expect(page.locator("#order-state")).to_have_text("received")
    expect(page.locator("#scan")).to_have_count(0)
    with session_api(page, server) as client:
        assert ok(client.get(f"/api/purchase-orders/{order}"))["order"]["state"] == "received"
    no_sideways_scroll(page)
    page.close()


@SIZES
def test_what_was_short_or_refused_at_the_door_is_shown_as_the_server_recorded_it(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    order = sent_order(12)
    page = log_in(browser, server, "kwan", viewport=size)
    page.goto(f"/buying/orders/{order}/receive")
    page.fill("#receive-form input[name=quantity]", "6")
    page.focus("#scan")
    scan(page, f"(01)0{YOG_BARCODE}(17){_day(20):%y%m%d}(10)OK")
    expect(page.locator("p.flash")).to_contain_text("Took in 6")

    # junk from the scanner is refused, with the reason, and the box is cleared for the next scan;
    # so is a code whose own date has passed (the cursor stays in the scan box, not the date box)
    for junk, said in [
        ("(01)04891234567011", "check digit"),
        ("xyz", "unknown SKU"),
        (f"(01)0{YOG_BARCODE}(17){_day(-3):%y%m%d}(10)OLD", "before the received date"),
    ]:
        scan(page, junk)
        expect(page.locator("#receive-form .error")).to_contain_text(said)
        expect(page.locator("#scan")).to_be_focused()
        expect(page.locator("#scan")).to_have_value("")

    page.click("details.refuse summary")
    refuse = page.locator("#refuse-form")
    refuse.locator("input[name=code]").fill(YOG_BARCODE)
    refuse.locator("input[name=quantity]").fill("3")
    refuse.locator("input[name=reason]").fill("dated tomorrow")
    refuse.get_by_role("button", name="Refuse").click()
    expect(page.locator("p.flash")).to_contain_text("Refused 3")
    expect(page.locator("#scan")).to_be_focused()

    page.get_by_role("button", name=re.compile("finish receiving")).click()
    # six did not come: the page asks before closing the order for good
    expect(page.locator("#finish-confirm")).to_contain_text("6 each Yoghurt 乳酪")
    expect(page.locator("#order-state")).to_have_text("partly received")
    page.get_by_role("button", name="Finish: the rest is short").click()
    row = page.locator("#differences tr[data-sku=YOG]")
    expect(row).to_be_visible()
    with session_api(page, server) as client:
        shown = ok(client.get(f"/api/purchase-orders/{order}"))
        assert shown["order"]["state"] == "received"
        line = shown["lines"][0]
        assert (line["quantity"], line["received"]) == ("12", "6")
    cells = row.locator("td").all_inner_texts()
    assert cells[1:4] == ["12 each", "6", "6"], cells  # ordered, came, short
    page.close()


@SIZES
def test_a_suggestion_changed_on_the_page_becomes_the_draft_the_server_keeps(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    page = log_in(browser, server, "ada", viewport=size)
    page.goto("/buying")
    page.get_by_role("link", name="Suggested orders", exact=True).click()
    page.fill("input[name=supplier]", DAIRY)
    page.get_by_role("button", name="Suggest").click()
    row = page.locator("#suggestions tr[data-sku=YOG]")
    expect(row).to_be_visible()
    expect(row.locator("td.why")).to_contain_text("expect to sell")
    no_sideways_scroll(page)
    row.locator("input[name='qty.YOG']").fill("18")
    page.get_by_role("button", name="Make it a draft order").dblclick()  # pressed twice: one draft
    expect(page.locator("p.flash")).to_contain_text("a draft from the suggestions")
    order = int(page.url.rsplit("/", 1)[1])
    with session_api(page, server) as client:
        shown = ok(client.get(f"/api/purchase-orders/{order}"))
        assert shown["order"]["state"] == "draft"
        assert [(line["sku"], line["quantity"]) for line in shown["lines"]] == [("YOG", "18")]
        drafts = ok(client.get("/api/purchase-orders", params={"state": "draft", "limit": 100}))["items"]
        assert [
            d["id"]
            for d in drafts
            if d["supplier"] == DAIRY and d["created_at"] >= shown["order"]["created_at"]
        ] == [order]
    expect(page.locator("tr[data-sku=YOG]").first).to_contain_text("3 × 6")
    page.close()


def test_a_markdown_applied_from_will_expire_unsold_is_what_the_till_charges(
    browser: Browser, server: str
) -> None:
    midnight(SHOP["db"], "receive", "YOG", "40", "--cost", "4", "--expires", _day(1).isoformat())
    page = log_in(browser, server, "ada", viewport=TABLET)
    page.goto("/buying/unsold?days=7")
    row = page.locator("#unsold tr", has_text="Yoghurt 乳酪").first
    expect(row).to_be_visible()
    button = row.get_by_role("button", name=re.compile("Reduce YOGC"))
    expect(button).to_contain_text(f"from {_day(0)}")  # its last day is tomorrow: reduce it from today
    percent = int(re.search(r"(\d+)%", button.inner_text()).group(1))  # type: ignore[union-attr]
    button.click()
    expect(page.locator("p.flash")).to_contain_text("is reduced")
    with session_api(page, server) as client:
        item = ok(client.get("/api/menu/YOGC"))
        assert Decimal(item["markdown_percent"]) == percent
        total = ok(client.post("/api/orders/quote", json={"lines": [{"code": "YOGC"}]}))["total"]
    assert total < 1200  # the list price is HK$12.00: this cup is reduced
    charged = f"HK${total // 100}.{total % 100:02d}"
    page.goto("/till")
    expect(page.locator("button.item[data-code=YOGC] .reduced")).to_have_text(charged)
    page.click("button.item[data-code=YOGC]")
    expect(page.locator("#total")).to_have_text(charged)
    page.close()


@SIZES
def test_send_saves_what_was_typed_on_the_draft_first(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    made = json.loads(midnight(SHOP["db"], "po", "new", DAIRY, "--line", "YOG=12", "--json"))
    order = int(made["order"]["id"])
    page = log_in(browser, server, "ada", viewport=size)
    page.goto(f"/buying/orders/{order}")
    page.fill("input[name='qty.0']", "18")  # typed, not saved: then straight to Send
    page.get_by_role("button", name=re.compile("Save and send")).click()
    expect(page.locator("p.flash")).to_contain_text(f"PO-{order:05d} marked sent")
    with session_api(page, server) as client:
        shown = ok(client.get(f"/api/purchase-orders/{order}"))
    assert shown["order"]["state"] == "sent"
    assert [(line["sku"], line["quantity"]) for line in shown["lines"]] == [("YOG", "18")]
    expect(page.locator("#lines tr[data-sku=YOG]")).to_contain_text("18 each")
    no_sideways_scroll(page)
    page.close()
