"""Modifiers and parked orders on the till, in Chromium at tablet and phone size: the quick sheet
after tapping an item, the price the server puts on the choices, parking a table's order and paying
it later from another page, and what the server records."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import SHOP, log_in, midnight, serious_violations, session_api
from tests.browser.test_till_page import (
    PHONE,
    SIZES,
    TABLET,
    _day,
    in_view,
    newest_order,
    no_sideways_scroll,
    settled,
)


@pytest.fixture(scope="module", autouse=True)
def toast(server: str) -> str:
    """Ham toast with a size and extras (an egg, no ham), and a congee that needs its size chosen."""
    db = SHOP["db"]
    midnight(db, "product", "add", "EGG", "Egg 雞蛋", "--shelf-life", "14")
    midnight(db, "receive", "EGG", "60", "--cost", "1.2", "--expires", _day(10))
    midnight(db, "receive", "HAM", "200", "--cost", "1.5", "--expires", _day(4))
    midnight(db, "product", "add", "BREAD", "Bread slice 麵包", "--shelf-life", "4")
    midnight(db, "receive", "BREAD", "200", "--cost", "0.5", "--expires", _day(3))
    midnight(db, "product", "add", "RICE", "Rice 米", "--unit", "kg", "--shelf-life", "300")
    midnight(db, "receive", "RICE", "20", "--cost", "10", "--expires", _day(200))
    midnight(
        db,
        "menu",
        "add",
        "TOAST",
        "Ham toast 火腿多士",
        "--price",
        "20",
        "--category",
        "toast",
        "--recipe",
        "HAM=2",
        "--recipe",
        "BREAD=2",
    )
    midnight(
        db,
        "menu",
        "add",
        "CONGEE",
        "Congee 粥",
        "--price",
        "24",
        "--category",
        "toast",
        "--recipe",
        "RICE=0.1",
    )
    midnight(db, "modifier", "group", "add", "T-SIZE", "Size 份量", "--max", "1")
    midnight(
        db, "modifier", "option", "add", "T-SIZE", "T-LARGE", "Large 大", "--price", "6", "--scales", "1.5"
    )
    midnight(db, "modifier", "group", "add", "T-EXTRAS", "Extras 加配", "--max", "3")
    midnight(
        db,
        "modifier",
        "option",
        "add",
        "T-EXTRAS",
        "T-EGG",
        "Add egg 加蛋",
        "--price",
        "5",
        "--adds",
        "EGG=1",
    )
    midnight(
        db,
        "modifier",
        "option",
        "add",
        "T-EXTRAS",
        "T-NO-HAM",
        "No ham 走火腿",
        "--price",
        "-3",
        "--removes",
        "HAM",
    )
    midnight(db, "menu", "modifiers", "TOAST", "T-SIZE", "T-EXTRAS")
    midnight(db, "modifier", "group", "add", "C-SIZE", "Bowl", "--min", "1", "--max", "1")
    midnight(db, "modifier", "option", "add", "C-SIZE", "C-SMALL", "Small bowl", "--price", "0")
    midnight(db, "modifier", "option", "add", "C-SIZE", "C-BIG", "Big bowl", "--price", "8", "--scales", "2")
    midnight(db, "menu", "modifiers", "CONGEE", "C-SIZE")
    return "TOAST"


@pytest.fixture(scope="module", autouse=True)
def lemon_tea(server: str, toast: str) -> str:
    """Lemon tea with three single choices (hot or cold, which is required and costs more cold; ice;
    sugar), as the demo shop's; and six buns to fill an order."""
    db = SHOP["db"]
    midnight(db, "product", "add", "LEMON", "Lemon 檸檬", "--shelf-life", "20")
    midnight(db, "receive", "LEMON", "300", "--cost", "1", "--expires", _day(15))
    midnight(
        db, "menu", "add", "TEA", "Lemon tea 檸檬茶", "--price", "12", "--category", "drinks",
        "--recipe", "LEMON=1",
    )  # fmt: skip
    midnight(db, "modifier", "group", "add", "TEA-TEMP", "Hot or cold 冷熱", "--min", "1", "--max", "1")
    midnight(db, "modifier", "option", "add", "TEA-TEMP", "TEA-HOT", "Hot 熱", "--price", "0")
    midnight(db, "modifier", "option", "add", "TEA-TEMP", "TEA-COLD", "Cold 凍", "--price", "2")
    midnight(db, "modifier", "group", "add", "TEA-ICE", "Ice 冰", "--max", "1")
    midnight(db, "modifier", "option", "add", "TEA-ICE", "TEA-LESS-ICE", "Less ice 少冰", "--price", "0")
    midnight(db, "modifier", "option", "add", "TEA-ICE", "TEA-NO-ICE", "No ice 走冰", "--price", "0")
    midnight(db, "modifier", "group", "add", "TEA-SUGAR", "Sugar 甜度", "--max", "1")
    midnight(
        db, "modifier", "option", "add", "TEA-SUGAR", "TEA-LESS-SUGAR", "Less sugar 少甜", "--price", "0"
    )
    midnight(db, "menu", "modifiers", "TEA", "TEA-TEMP", "TEA-ICE", "TEA-SUGAR")
    for n in range(1, 7):
        midnight(
            db, "menu", "add", f"BUN{n}", f"Bun {n} 包", "--price", "5", "--category", "buns",
            "--recipe", "BREAD=1",
        )  # fmt: skip
    return "TEA"


def quick_sheet(page: Page, code: str) -> None:
    page.click(f"button.item[data-code={code}]")
    expect(page.locator("dialog#sheet")).to_be_visible()


@SIZES
def test_the_quick_sheet_prices_the_choices_as_the_server_charges_them(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    page = log_in(browser, server, "kwan", viewport=size)
    quick_sheet(page, "TOAST")
    sheet = page.locator("dialog#sheet")
    expect(sheet).to_contain_text("Large 大")
    expect(sheet).to_contain_text("+HK$6.00")
    expect(sheet).to_contain_text("−HK$3.00")
    page.check("input[value=T-LARGE]")
    page.check("input[value=T-EGG]")
    page.click("#sheet-form button[type=submit]")
    expect(sheet).to_be_hidden()
    expect(page.locator("#lines .mods")).to_contain_text("Large 大 (+HK$6.00), Add egg 加蛋 (+HK$5.00)")
    expect(page.locator("#total")).to_have_text("HK$31.00")
    # a second plain toast is its own line, not one more of the large one
    quick_sheet(page, "TOAST")
    page.click("#sheet-form button[type=submit]")
    expect(page.locator("#lines tr")).to_have_count(2)
    expect(page.locator("#total")).to_have_text("HK$51.00")
    # change the first line's choices: no egg after all
    page.locator("#lines tr").first.get_by_role("button", name="change the choices").click()
    expect(page.locator("input[value=T-EGG]")).to_be_checked()
    page.uncheck("input[value=T-EGG]")
    page.click("#sheet-form button[type=submit]")
    expect(page.locator("#total")).to_have_text("HK$46.00")
    settled(page)
    shown = page.locator("#total").inner_text()
    page.click("button[data-cash] >> nth=0")
    page.click("button[name=pay]")
    expect(page.locator("#change")).to_be_visible()
    recorded = newest_order(page, server)
    assert f"HK${recorded['total'] / 100:.2f}" == shown
    assert [[m["code"] for m in line["modifiers"]] for line in recorded["lines"]] == [["T-LARGE"], []]
    expect(page.locator("#call-number")).to_have_text(str(recorded["call_number"]))
    assert no_sideways_scroll(page)
    page.close()


@SIZES
def test_a_required_choice_is_asked_for_before_the_line_is_added(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    page = log_in(browser, server, "kwan", viewport=size)
    quick_sheet(page, "CONGEE")
    page.click("#sheet-form button[type=submit]")  # nothing chosen: the server asks for the bowl
    expect(page.locator("dialog#sheet")).to_be_visible()
    expect(page.locator("#group-C-SIZE-error")).to_have_text("Congee 粥 needs a choice of Bowl")
    expect(page.locator("#lines tr")).to_have_count(0)
    page.check("input[value=C-BIG]")
    page.click("#sheet-form button[type=submit]")
    expect(page.locator("#total")).to_have_text("HK$32.00")
    page.close()


@SIZES
def test_a_parked_table_is_reopened_on_another_page_and_paid_as_it_now_stands(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    table = f"Table {uuid.uuid4().hex[:4]}"
    page = log_in(browser, server, "kwan", viewport=size)
    page.click("button.item[data-code=TIN]")
    quick_sheet(page, "TOAST")
    page.check("input[value=T-NO-HAM]")
    page.click("#sheet-form button[type=submit]")
    expect(page.locator("#total")).to_have_text("HK$35.00")
    page.click("summary >> text=Park it")
    page.fill("input[name=label]", table)
    page.click("button:has-text('Park and send to kitchen')")
    expect(page.locator("#notice")).to_contain_text(f"for {table}")
    expect(page.locator("#lines tr")).to_have_count(0)  # the next customer
    # another till (another page) reopens it, adds a tin and takes the money
    other = log_in(browser, server, "ada", viewport=size)
    other.click("#parked-button")
    other.locator("ul.parked button", has_text=table).click()
    expect(other.locator("#order-heading")).to_contain_text(table)
    expect(other.locator("#total")).to_have_text("HK$35.00")
    other.click("button.item[data-code=TIN]")
    expect(other.locator("#total")).to_have_text("HK$53.00")
    settled(other)
    other.click("button[data-cash] >> nth=0")
    other.click("button[name=pay]")
    expect(other.locator("#change")).to_have_text("HK$0.00")
    recorded = newest_order(other, server)
    assert recorded["label"] == table and recorded["state"] == "paid" and recorded["parked_at"] is None
    assert [(ln["code"], ln["quantity"]) for ln in recorded["lines"]] == [("TIN", "2"), ("TOAST", "1")]
    with session_api(other, server) as client:
        parked = client.get("/api/orders/parked").json()["items"]
    assert table not in [o["label"] for o in parked]
    page.close()
    other.close()


def test_a_till_paying_an_order_another_till_changed_since_is_told_and_charges_nothing(
    browser: Browser, server: str
) -> None:
    table = f"Table {uuid.uuid4().hex[:4]}"
    first = log_in(browser, server, "kwan")
    first.click("button.item[data-code=TIN]")
    first.click("summary >> text=Park it")
    first.fill("input[name=label]", table)
    first.get_by_role("button", name="Park", exact=True).click()
    expect(first.locator("#notice")).to_contain_text(table)
    second = log_in(browser, server, "ada")
    for page in (first, second):
        page.click("#parked-button")
        page.locator("ul.parked button", has_text=table).click()
        expect(page.locator("#order-heading")).to_contain_text(table)
    second.click("button.item[data-code=TIN]")
    expect(second.locator("#total")).to_have_text("HK$36.00")
    settled(second)
    second.get_by_role("button", name="Park", exact=True).click()  # the table wants another tin
    expect(second.locator("#notice")).to_contain_text(table)
    before = newest_order(first, server)["id"]
    settled(first)
    first.click("button[data-cash] >> nth=0")
    first.click("button[name=pay]")
    expect(first.locator("#panel-error")).to_contain_text("changed on another till")
    with session_api(first, server) as client:
        parked = [o for o in client.get("/api/orders/parked").json()["items"] if o["label"] == table]
    assert len(parked) == 1 and parked[0]["state"] == "open" and parked[0]["total"] == 3600
    assert newest_order(first, server)["id"] == before
    first.click("#reopen-stale")  # the order as the other till left it
    expect(first.locator("#total")).to_have_text("HK$36.00")
    first.close()
    second.close()


@SIZES
def test_the_quick_sheet_and_the_parked_list_are_usable_with_a_screen_reader(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    page = log_in(browser, server, "kwan", viewport=size)
    quick_sheet(page, "TOAST")
    assert serious_violations(page) == []
    assert no_sideways_scroll(page)
    page.keyboard.press("Escape")  # a dialog closes with Escape
    expect(page.locator("dialog#sheet")).to_be_hidden()
    page.click("#parked-button")
    expect(page.locator("dialog#sheet")).to_be_visible()
    assert serious_violations(page) == []
    page.close()


def sheet_pick(page: Page, *codes: str) -> None:
    for code in codes:
        page.check(f"#sheet-form input[value={code}]")


@SIZES
def test_each_single_choice_group_is_its_own_choice_and_all_of_them_reach_the_order(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    page = log_in(browser, server, "kwan", viewport=size)
    quick_sheet(page, "TEA")
    sheet_pick(page, "TEA-HOT", "TEA-NO-ICE", "TEA-LESS-SUGAR")
    for code in ("TEA-HOT", "TEA-NO-ICE", "TEA-LESS-SUGAR"):  # "No ice" does not clear "Hot"
        expect(page.locator(f"#sheet-form input[value={code}]")).to_be_checked()
    page.click("#sheet-form button[type=submit]")
    expect(page.locator("dialog#sheet")).to_be_hidden()
    expect(page.locator("#lines .mods")).to_have_text("Hot 熱, No ice 走冰, Less sugar 少甜")
    expect(page.locator("#total")).to_have_text("HK$12.00")
    # "Change" on the line: cold (HK$2 more) and less ice; the sugar stays as it was
    page.get_by_role("button", name="change the choices of Lemon tea").click()
    expect(page.locator("#sheet-form input[value=TEA-NO-ICE]")).to_be_checked()
    sheet_pick(page, "TEA-COLD", "TEA-LESS-ICE")
    expect(page.locator("#sheet-form input[value=TEA-LESS-SUGAR]")).to_be_checked()
    expect(page.locator("#sheet-form input[value=TEA-HOT]")).not_to_be_checked()
    page.click("#sheet-form button[type=submit]")
    expect(page.locator("#lines .mods")).to_have_text("Cold 凍 (+HK$2.00), Less ice 少冰, Less sugar 少甜")
    expect(page.locator("#total")).to_have_text("HK$14.00")
    settled(page)
    page.click("button[data-cash] >> nth=0")
    page.click("button[name=pay]")
    expect(page.locator("#change")).to_be_visible()
    recorded = newest_order(page, server)
    assert recorded["total"] == 1400
    [line] = recorded["lines"]
    assert line["code"] == "TEA" and line["unit_price"] == 1400
    assert [m["code"] for m in line["modifiers"]] == ["TEA-COLD", "TEA-LESS-ICE", "TEA-LESS-SUGAR"]
    page.close()


@SIZES
def test_add_without_the_required_choice_keeps_the_sheet_open_saying_what_is_missing_by_its_group(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    page = log_in(browser, server, "kwan", viewport=size)
    page.click("button.item[data-code=TIN]")
    expect(page.locator("#total")).to_have_text("HK$18.00")
    quick_sheet(page, "TEA")
    sheet_pick(page, "TEA-NO-ICE")
    page.click("#sheet-form button[type=submit]")
    sheet = page.locator("dialog#sheet")
    expect(page.locator("#group-TEA-TEMP-error")).to_have_text(
        "Lemon tea 檸檬茶 needs a choice of Hot or cold 冷熱"
    )
    expect(sheet).to_be_visible()
    expect(page.locator("#group-TEA-TEMP")).to_have_class("choices has-error")
    expect(page.locator("#sheet-form input[value=TEA-NO-ICE]")).to_be_checked()  # what was chosen stays
    expect(page.locator("#lines tr")).to_have_count(1)  # nothing added, the order priced as it was
    expect(page.locator("#total")).to_have_text("HK$18.00")
    expect(page.locator("button[name=pay]")).to_be_enabled()
    sheet_pick(page, "TEA-COLD")
    page.click("#sheet-form button[type=submit]")
    expect(sheet).to_be_hidden()
    expect(page.locator("#lines tr")).to_have_count(2)
    expect(page.locator("#lines tr[data-code=TEA] .mods")).to_have_text("Cold 凍 (+HK$2.00), No ice 走冰")
    expect(page.locator("#total")).to_have_text("HK$32.00")
    page.close()


def _parked_then_given_a_required_choice(page: Page, soup: str, table: str) -> str:
    """A soup parked for a table; then the soup is made to need hot or cold. The group's code."""
    db = SHOP["db"]
    midnight(
        db,
        "menu",
        "add",
        soup,
        f"Soup {soup}",
        "--price",
        "15",
        "--category",
        "soups",
        "--recipe",
        "RICE=0.1",
    )
    page.reload()
    page.click(f"button.item[data-code={soup}]")
    page.click("button.item[data-code=TIN]")
    expect(page.locator("#total")).to_have_text("HK$33.00")
    page.click("summary >> text=Park it")
    page.fill("input[name=label]", table)
    page.get_by_role("button", name="Park", exact=True).click()
    expect(page.locator("#notice")).to_contain_text(table)
    group = f"{soup}-T"
    midnight(db, "modifier", "group", "add", group, "Hot or cold 冷熱", "--min", "1", "--max", "1")
    midnight(db, "modifier", "option", "add", group, f"{soup}-HOT", "Hot 熱", "--price", "0")
    midnight(db, "modifier", "option", "add", group, f"{soup}-COLD", "Cold 凍", "--price", "1")
    midnight(db, "menu", "modifiers", soup, group)
    return group


@SIZES
def test_a_parked_line_that_now_needs_a_choice_says_so_on_the_line_and_park_says_why_it_did_not(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    soup = f"SOUP{uuid.uuid4().hex[:4].upper()}"
    table = f"Table {uuid.uuid4().hex[:4]}"
    page = log_in(browser, server, "kwan", viewport=size)
    _parked_then_given_a_required_choice(page, soup, table)
    page.click("#parked-button")
    page.locator("ul.parked button", has_text=table).click()
    heading = page.locator("#order-heading")
    expect(heading).to_contain_text(table)
    problem = page.locator("#line-1-error")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text(f"Soup {soup} needs a choice of Hot or cold 冷熱: choose with Change")
    expect(page.locator("#total")).to_have_text("—")
    expect(page.locator("#unpriced")).to_be_visible()
    expect(page.locator("button[name=pay]")).to_be_disabled()
    # parking it again (and sending it) as it is: refused, and said where the button is
    page.get_by_role("button", name="Park and send to kitchen").click()
    expect(page.locator("#park-error")).to_contain_text("Not parked")
    expect(page.locator("#park-error")).to_contain_text("needs a choice of Hot or cold")
    expect(heading).to_contain_text(table)
    # the line's own Change, right by its problem
    problem.get_by_role("button", name="Change").click()
    expect(page.locator("dialog#sheet")).to_be_visible()
    page.check(f"#sheet-form input[value={soup}-COLD]")
    page.click("#sheet-form button[type=submit]")
    expect(page.locator("#total")).to_have_text("HK$34.00")
    expect(page.locator("#line-1-error")).to_have_count(0)
    expect(heading).to_contain_text(table)
    settled(page)
    page.click("button[data-cash] >> nth=0")
    page.click("button[name=pay]")
    expect(page.locator("#change")).to_have_text("HK$0.00")
    recorded = newest_order(page, server)
    assert recorded["label"] == table and recorded["total"] == 3400
    assert [[m["code"] for m in ln["modifiers"]] for ln in recorded["lines"]] == [[f"{soup}-COLD"], []]
    page.close()


def test_a_reopened_parked_order_keeps_its_number_and_label_when_a_line_is_removed(
    browser: Browser, server: str
) -> None:
    table = f"Mr Chan {uuid.uuid4().hex[:4]}"
    page = log_in(browser, server, "kwan")
    page.click("button.item[data-code=TIN]")
    page.click("button.item[data-code=SALAD]")
    expect(page.locator("#total")).to_have_text("HK$56.00")
    page.click("summary >> text=Park it")
    page.fill("input[name=label]", table)
    page.get_by_role("button", name="Park", exact=True).click()
    expect(page.locator("#notice")).to_contain_text(table)
    page.click("#parked-button")
    page.locator("ul.parked button", has_text=table).click()
    heading = page.locator("#order-heading")
    expect(heading).to_contain_text(table)
    shown = heading.inner_text()
    assert shown.startswith("Order #")
    page.get_by_role("button", name="remove Tinned pineapple").click()
    expect(page.locator("#lines tr")).to_have_count(1)
    expect(page.locator("#total")).to_have_text("HK$38.00")
    expect(heading).to_have_text(shown)  # "Order #n · Mr Chan · number k", not "Order"
    expect(page.locator("details.park summary")).to_have_text(f"Parked for {table}")
    expect(page.locator("input[name=label]")).to_have_value(table)
    page.get_by_role("button", name="Park", exact=True).click()  # parked again as it now is
    expect(page.locator("#notice")).to_contain_text(f"{shown.split(' · ')[0]} for {table}")
    with session_api(page, server) as client:
        parked = [o for o in client.get("/api/orders/parked").json()["items"] if o["label"] == table]
    assert len(parked) == 1 and parked[0]["total"] == 3800
    page.close()


TABLET_LANDSCAPE = {"width": 1024, "height": 768}


def _six_lines(page: Page) -> None:
    for n in range(1, 7):
        page.click(f"button.item[data-code=BUN{n}]")
        expect(page.locator("#lines tr")).to_have_count(n)
    expect(page.locator("#total")).to_have_text("HK$30.00")
    settled(page)


def _scrolled_to(page: Page, selector: str) -> None:
    """As the browser scrolls a box to a tap or a Tab: just enough to bring it into its scroller's view."""
    page.locator(selector).evaluate("e => e.scrollIntoView({block: 'nearest', inline: 'nearest'})")


def _uncovered(page: Page, selector: str) -> bool:
    """The element is on screen, and what is drawn at its centre is it, not a bar over it."""
    return bool(
        page.locator(selector).evaluate(
            """e => { const r = e.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;
                      return y >= 0 && y <= innerHeight && x >= 0 && x <= innerWidth
                             && document.elementFromPoint(x, y) === e; }"""
        )
    )


@pytest.mark.parametrize("size", [TABLET_LANDSCAPE, TABLET], ids=["landscape", "portrait"])
def test_on_a_tablet_the_total_and_pay_stay_in_view_with_a_long_order(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    page = log_in(browser, server, "kwan", viewport=size)
    _six_lines(page)
    for selector in ("button[name=pay]", "#total"):
        assert in_view(page, selector) and _uncovered(page, selector), selector
    _scrolled_to(page, "#lines tr:last-child input[name=note]")
    assert _uncovered(page, "#lines tr:last-child input[name=note]")
    assert in_view(page, "button[name=pay]") and _uncovered(page, "button[name=pay]")
    page.locator("button[data-cash]").first.click()
    assert _uncovered(page, "button[name=pay]")
    page.click("button[name=pay]", no_wait_after=True)
    expect(page.locator("#change")).to_have_text("HK$0.00")
    assert no_sideways_scroll(page)
    page.close()


def test_on_a_phone_the_pinned_total_and_pay_never_cover_the_last_line(browser: Browser, server: str) -> None:
    page = log_in(browser, server, "kwan", viewport=PHONE)
    _six_lines(page)
    last = "#lines tr:last-child"
    for box in ("input[name=qty]", "input[name=note]"):
        _scrolled_to(page, "#lines tr:first-child input[name=qty]")  # from the top of the order
        _scrolled_to(page, f"{last} {box}")
        assert _uncovered(page, f"{last} {box}"), box
    assert in_view(page, "button[name=pay]") and _uncovered(page, "button[name=pay]")
    assert in_view(page, "#total") and _uncovered(page, "#total")
    page.locator(f"{last} input[name=note]").fill("no sesame")
    expect(page.locator(f"{last} input[name=note]")).to_have_value("no sesame")
    assert no_sideways_scroll(page)
    page.close()
