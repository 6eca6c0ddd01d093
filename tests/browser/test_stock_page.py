"""The stock page in Chromium at a tablet's and a phone's size, used as a person would: receiving by
scanner (nothing booked before Receive), the product picker, date boxes in YYYY-MM-DD, a lot action's
error on its own row, writing off everything expired after a confirmation, correcting a lot's expiry,
and a board that a tablet shows without scrolling thousands of pixels."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in, serious_violations

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = pytest.mark.parametrize("viewport", [TABLET, PHONE], ids=["tablet", "phone"])
MONEY = re.compile(r"^HK\$\d{1,3}(,\d{3})*\.\d{2}$")


@contextmanager
def api_for(page: Page, server: str) -> Iterator[httpx.Client]:
    """The API as the person logged in on `page` (their session, as a bearer token)."""
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "midnight_session")
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {session}"}) as client:
        yield client


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def new_product(api: httpx.Client, sku: str, **fields: Any) -> str:
    """A product of this test's own, so what it sees on the board is only its own lots."""
    if api.get(f"/api/products/{sku}").status_code == 404:
        ok(
            api.post(
                "/api/products", json={"sku": sku, "name": f"Test {sku}", "shelf_life_days": 5, **fields}
            )
        )
    return sku


def lot_count(api: httpx.Client, sku: str) -> int:
    return len(ok(api.get("/api/lots", params={"sku": sku, "limit": 1000}))["items"])


def tag(viewport: dict[str, int]) -> str:
    return "T" if viewport == TABLET else "P"


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"scrolls sideways: {width}px"  # type: ignore[index]


# --- 1. receiving by scanner -----------------------------------------------------------------------


@VIEWPORTS
def test_a_scan_picks_the_product_and_nothing_is_booked_before_receive(
    browser: Browser, server: str, viewport: dict[str, int]
) -> None:
    page = log_in(browser, server, "kwan", viewport=viewport)
    with api_for(page, server) as api:
        before = lot_count(api, "PINE")
        expected = ok(api.get("/api/receiving", params={"code": "4891028164456"}))["expires"]
        page.goto("/stock")
        code = page.locator("#receive input[name=code]")
        expect(code).to_be_focused()
        code.press_sequentially("4891028164456\n", delay=5)  # a scanner: digits, then Enter
        expect(page.locator("#receive-found")).to_contain_text("Tinned pineapple 罐頭菠蘿")
        expect(page.locator("#receive input[name=quantity]")).to_be_focused()
        # the expiry comes from the server (today in the store's zone + shelf life), as YYYY-MM-DD
        expect(page.locator("#receive input[name=expires]")).to_have_value(expected)
        assert lot_count(api, "PINE") == before  # the scanner's Enter booked nothing
        page.keyboard.type("3")
        page.keyboard.press("Enter")  # Enter moves on, to the next empty box: never books
        expect(page.locator("#receive input[name=cost]")).to_be_focused()
        page.keyboard.type("9.50")
        page.keyboard.press("Enter")
        expect(page.locator("#receive input[name=supplier]")).to_be_focused()
        page.keyboard.type("Kowloon Trading 九龍貿易")
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Receive", exact=True)).to_be_focused()
        assert lot_count(api, "PINE") == before
        assert serious_violations(page) == []
        no_sideways_scroll(page)
        page.get_by_role("button", name="Receive", exact=True).click()
        expect(page.locator(".flash")).to_contain_text("3 each of Tinned pineapple")
        assert lot_count(api, "PINE") == before + 1
        lot_id = int(re.search(r"Received lot (\d+)", page.locator(".flash").inner_text()).group(1))  # type: ignore[union-attr]
        lot = ok(api.get(f"/api/lots/{lot_id}"))
        assert (lot["unit_cost"], lot["supplier"], lot["expiry_date"]) == (
            950,
            "Kowloon Trading 九龍貿易",
            expected,
        )
    page.close()


@VIEWPORTS
def test_the_product_picker_finds_names_in_any_language_and_case(
    browser: Browser, server: str, viewport: dict[str, int]
) -> None:
    page = log_in(browser, server, "kwan", viewport=viewport)
    page.goto("/stock")
    code = page.locator("#receive input[name=code]")
    code.press_sequentially("菠蘿", delay=20)
    choice = page.locator("#suggestions button", has_text="Tinned pineapple")
    expect(choice).to_be_visible()
    code.fill("")
    code.press_sequentially("LETT", delay=20)  # part of a SKU, in capitals
    expect(page.locator("#suggestions button", has_text="Lettuce 生菜")).to_be_visible()
    code.fill("")
    code.press_sequentially("ham", delay=20)
    ham = page.locator("#suggestions button", has_text="Ham slice 火腿")
    expect(ham).to_be_visible()
    assert serious_violations(page) == []
    ham.click()
    expect(page.locator("#receive-found")).to_contain_text("Ham slice 火腿")
    expect(page.locator("#receive input[name=code]")).to_have_value("HAM")
    expect(page.locator("#receive input[name=quantity]")).to_be_focused()
    # an unknown code: a clear error on that box, what was typed kept, nothing booked
    code = page.locator("#receive input[name=code]")
    code.fill("no such thing")
    code.press("Enter")
    expect(page.locator("#receive .has-error small.error")).to_contain_text(
        "no product has the code or a name like"
    )
    expect(page.locator("#receive input[name=code]")).to_have_value("no such thing")
    # a misread scan says what is wrong with it
    code = page.locator("#receive input[name=code]")
    code.fill("4891028164457")
    code.press("Enter")
    expect(page.locator("#receive .has-error small.error")).to_contain_text("check digit")
    expect(page.locator("#receive input[name=code]")).to_have_value("4891028164457")
    no_sideways_scroll(page)
    page.close()


# --- 2. date boxes ------------------------------------------------------------------------------


@VIEWPORTS
def test_date_boxes_show_and_take_yyyy_mm_dd(browser: Browser, server: str, viewport: dict[str, int]) -> None:
    page = log_in(browser, server, "kwan", viewport=viewport)
    with api_for(page, server) as api:
        before = lot_count(api, "HAM")
        page.goto("/stock")
        expires = page.locator("#receive input[name=expires]")
        assert expires.get_attribute("type") == "text"  # not Chromium's mm/dd/yyyy date picker
        assert expires.get_attribute("placeholder") == "YYYY-MM-DD"
        expect(page.get_by_text("Expires (YYYY-MM-DD)")).to_be_visible()
        page.fill("#receive input[name=code]", "HAM")
        page.fill("#receive input[name=quantity]", "2")
        expires.fill("12/31/2030")
        page.get_by_role("button", name="Receive", exact=True).click()
        error = page.locator("#receive .has-error small.error")
        expect(error).to_contain_text("must be a date like 2026-12-31")
        expect(page.locator("#receive input[name=expires]")).to_have_value("12/31/2030")  # kept
        assert lot_count(api, "HAM") == before
        page.fill("#receive input[name=expires]", "2030-12-31")
        page.get_by_role("button", name="Receive", exact=True).click()
        expect(page.locator(".flash")).to_contain_text("2 each of Ham slice")
        lot_id = int(re.search(r"Received lot (\d+)", page.locator(".flash").inner_text()).group(1))  # type: ignore[union-attr]
        assert ok(api.get(f"/api/lots/{lot_id}"))["expiry_date"] == "2030-12-31"
    page.close()


# --- 3. a lot action's error on its row ------------------------------------------------------------


@VIEWPORTS
def test_a_lot_actions_error_is_on_its_row_with_what_was_typed(
    browser: Browser, server: str, viewport: dict[str, int]
) -> None:
    page = log_in(browser, server, "ada", viewport=viewport)
    with api_for(page, server) as api:
        sku = new_product(api, f"ROW-{tag(viewport)}")
        lot = ok(api.post("/api/stock/receive", json={"sku": sku, "quantity": "4", "cost": "2"}))["lot"]["id"]
    page.goto(f"/stock?sku={sku}")
    row = page.locator(f"#lot-{lot}")
    row.get_by_role("link", name=f"Actions for lot {lot}").click()
    panel = row.locator("tr.panel")
    expect(panel).to_be_visible()
    panel.locator("select[name=action]").select_option("move")
    panel.locator("input[name=quantity]").fill("99")
    panel.locator("input[name=detail]").fill("fridge")
    panel.get_by_role("button", name="Do it").click()
    error = page.locator(f"#lot-{lot} tr.panel .error")
    expect(error).to_contain_text(f"cannot move 99 of lot {lot}: it holds 4")
    expect(page.locator(f"#lot-{lot} input[name=quantity]")).to_have_value("99")
    expect(page.locator(f"#lot-{lot} input[name=detail]")).to_have_value("fridge")
    expect(page.locator(f"#lot-{lot} select[name=action]")).to_have_value("move")
    expect(page.locator("#receive .error")).to_have_count(0)  # not beside the Receive form
    assert serious_violations(page) == []
    no_sideways_scroll(page)
    # a write-off without its reason: again on the row
    page.locator(f"#lot-{lot} select[name=action]").select_option("waste")
    page.locator(f"#lot-{lot} input[name=quantity]").fill("1")
    page.locator(f"#lot-{lot} input[name=detail]").fill("")
    page.locator(f"#lot-{lot}").get_by_role("button", name="Do it").click()
    expect(page.locator(f"#lot-{lot} tr.panel .error")).to_contain_text("reason")
    expect(page.locator(f"#lot-{lot} tr.panel .error")).not_to_contain_text("--")
    # and done right, the board says so and shows the new quantity
    page.locator(f"#lot-{lot} input[name=detail]").fill("dented")
    page.locator(f"#lot-{lot}").get_by_role("button", name="Do it").click()
    expect(page.locator("#board .flash")).to_contain_text(f"Wrote off 1 each of lot {lot} (dented): HK$2.00")
    expect(page.locator(f"#lot-{lot} td.qty")).to_have_text("3 each")
    page.close()


def test_staff_are_offered_only_what_they_may_do(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "kwan")
    page.goto("/stock?sku=HAM")
    first = page.locator("tbody.lot").first
    first.get_by_role("link", name=re.compile("Actions for lot")).click()
    options = first.locator("select[name=action] option")
    expect(options).to_have_count(2)
    assert options.all_inner_texts() == ["use", "open"]
    expect(first.get_by_role("button", name="Correct expiry")).to_have_count(0)
    expect(page.locator("#write-off-expired")).to_have_count(0)
    refused = page.goto("/stock/expired")
    assert refused is not None and refused.status == 403
    expect(page.locator("main")).to_contain_text("may not write off stock")
    page.close()


# --- 4. write off everything expired ---------------------------------------------------------------


@VIEWPORTS
def test_write_off_all_expired_confirms_lots_units_and_cost_and_a_second_press_writes_nothing(
    browser: Browser, server: str, viewport: dict[str, int]
) -> None:
    page = log_in(browser, server, "ada", viewport=viewport)
    with api_for(page, server) as api:
        sku = new_product(api, f"GONE-{tag(viewport)}", unit="kg")
        for quantity, cost in (("1.5", "120.50"), ("2", "3")):
            ok(
                api.post(
                    "/api/stock/receive",
                    json={
                        "sku": sku,
                        "quantity": quantity,
                        "cost": cost,
                        "received": "2020-01-01",
                        "expires": "2020-01-05",
                    },
                )
            )
        summary = ok(api.get("/api/stock/expired"))
        assert summary["lots"] >= 2
        page.goto("/stock")
        page.click("#write-off-expired")
        expect(page.locator("h1")).to_have_text("Write off everything expired")
        expect(page.locator("#expired-lots")).to_have_text(str(summary["lots"]))
        cost = page.locator("#expired-cost").inner_text()
        assert cost == summary["cost_text"] and MONEY.match(cost), cost  # money, never minor units
        assert str(summary["cost"]) not in page.locator("main").inner_text().replace(cost, "")
        expect(page.locator("#expired-units")).to_contain_text("kg")
        assert serious_violations(page) == []
        no_sideways_scroll(page)
        # the same confirmation open twice (a double press, a retried request)
        second = log_in(browser, server, "ada", viewport=viewport)
        second.goto("/stock/expired")
        expect(second.locator("#expired-cost")).to_have_text(cost)
        page.locator("form.confirm button[type=submit]").click()
        expect(page.locator(".flash")).to_contain_text(
            f"Wrote off {summary['lots']} lots as waste, at a cost of {cost}"
        )
        wasted = [
            m
            for m in ok(api.get("/api/movements", params={"sku": sku, "limit": 100}))["items"]
            if m["kind"] == "waste"
        ]
        assert len(wasted) == 2
        second.locator("form.confirm button[type=submit]").click()
        expect(second.locator(".flash")).to_contain_text("Nothing expired is left to write off")
        again = [
            m
            for m in ok(api.get("/api/movements", params={"sku": sku, "limit": 100}))["items"]
            if m["kind"] == "waste"
        ]
        assert len(again) == 2  # nothing written off twice
        assert lot_count(api, sku) == 0
        second.close()
    page.close()


# --- 5. correcting a lot's expiry --------------------------------------------------------------------


@VIEWPORTS
def test_a_lots_expiry_is_corrected_as_an_audited_event(
    browser: Browser, server: str, viewport: dict[str, int]
) -> None:
    page = log_in(browser, server, "ada", viewport=viewport)
    with api_for(page, server) as api:
        sku = new_product(api, f"FIX-{tag(viewport)}")
        lot = ok(api.post("/api/stock/receive", json={"sku": sku, "quantity": "2", "expires": "2031-01-10"}))[
            "lot"
        ]
    page.goto(f"/stock?sku={sku}")
    page.locator(f"#lot-{lot['id']}").get_by_role("link", name=re.compile("Actions")).click()
    panel = page.locator(f"#lot-{lot['id']} tr.panel")
    panel.locator("input[name=expires]").fill("2031-01-03")
    panel.get_by_role("button", name="Correct expiry").click()
    expect(page.locator(f"#lot-{lot['id']} tr.panel .error")).to_contain_text(
        "reason"
    )  # a reason is required
    expect(page.locator(f"#lot-{lot['id']} input[name=expires]")).to_have_value("2031-01-03")
    panel = page.locator(f"#lot-{lot['id']} tr.panel")
    panel.locator("input[name=reason]").fill("label misread")
    panel.get_by_role("button", name="Correct expiry").click()
    expect(page.locator("#board .flash")).to_contain_text(
        "expiry corrected from 2031-01-10 to 2031-01-03 (label misread)"
    )
    row = page.locator(f"#lot-{lot['id']}")
    expect(row.locator("td.expires")).to_contain_text("2031-01-03")
    expect(row.locator("td.expires")).to_contain_text("(corrected)")
    row.get_by_role("link", name=re.compile("Actions")).click()
    history = page.locator(f"#lot-{lot['id']} table.corrections tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("ada")
    expect(history.first).to_contain_text("2031-01-10")
    expect(history.first).to_contain_text("2031-01-03")
    expect(history.first).to_contain_text("label misread")
    expect(page.locator(f"#lot-{lot['id']} tr.panel")).to_contain_text("expiry as received 2031-01-10")
    assert serious_violations(page) == []
    page.close()


# --- 6. a board a tablet can read -----------------------------------------------------------------------


@VIEWPORTS
def test_the_board_is_paged_and_keeps_its_colours_and_filters(
    browser: Browser, server: str, viewport: dict[str, int]
) -> None:
    page = log_in(browser, server, "ada", viewport=viewport)
    with api_for(page, server) as api:
        sku = new_product(api, f"MANY-{tag(viewport)}")
        if lot_count(api, sku) < 30:
            for n in range(30):
                ok(
                    api.post(
                        "/api/stock/receive",
                        json={"sku": sku, "quantity": "1", "expires": f"2040-01-{n + 1:02d}"},
                    )
                )
    page.goto("/stock")
    height = page.evaluate("document.documentElement.scrollHeight")
    limit = 2 * viewport["height"] if viewport == TABLET else 3 * viewport["height"]
    assert height <= limit, f"the board is {height}px tall"
    no_sideways_scroll(page)
    # filtered to the product, 12 lots a page, earliest first, on and back
    page.goto(f"/stock?sku={sku}")
    dates = page.locator("tbody.lot td.expires")
    expect(dates).to_have_count(12)
    assert dates.first.inner_text().startswith("2040-01-01")
    page.get_by_role("link", name="Later expiry →").click()
    expect(page.locator("tbody.lot td.expires").first).to_contain_text("2040-01-13")
    assert f"sku={sku}" in page.url
    page.get_by_role("link", name="← Earlier expiry").click()
    expect(page.locator("tbody.lot td.expires").first).to_contain_text("2040-01-01")
    expect(page.get_by_role("link", name="← Earlier expiry")).to_have_count(0)
    # the colours stay: a later lot's row has the legend's colour for "later"
    row_colour = page.locator("tbody.lot tr.later").first.evaluate("e => getComputedStyle(e).backgroundColor")
    legend_colour = page.locator(".legend .later").evaluate("e => getComputedStyle(e).backgroundColor")
    assert row_colour == legend_colour != "rgba(0, 0, 0, 0)"
    page.select_option("select[name=state]", "expired")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("tbody.lot")).to_have_count(0)
    assert serious_violations(page) == []
    page.close()


def test_the_ledger_undo_error_is_on_its_row(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "ada")
    with api_for(page, server) as api:
        sku = new_product(api, "UNDO-ROW")
        received = ok(api.post("/api/stock/receive", json={"sku": sku, "quantity": "2"}))
        ok(api.post("/api/stock/use", json={"sku": sku, "quantity": "1"}))
    page.goto(f"/stock/ledger?sku={sku}")
    row = page.locator(f"tr[data-movement='{received['movement_id']}']")
    row.get_by_role("button", name=re.compile("Undo")).click()
    expect(page.locator(f"tr[data-movement='{received['movement_id']}'] .error")).to_contain_text(
        f"cannot undo movement {received['movement_id']}"
    )
    assert serious_violations(page) == []
    page.close()
