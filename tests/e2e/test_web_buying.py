"""The Buying pages over HTTP as a browser sends their forms: a supplier added, a draft made, edited,
sent, received by GS1 scan at the door, refused and finished; bad input answered beside its box; staff
kept to receiving."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from midnight.api import create_app
from midnight.commands.catalog import AddProduct
from midnight.commands.people import AddUser
from midnight.commands.purchasing import SupplierQuery
from midnight.commands.stock import ReceiveLot
from midnight.commands.till import AddMenuItem
from midnight.services import catalog, menu, people, purchase_orders, stock, suppliers
from midnight.services import purchasing_views as shown
from midnight.services.context import Context
from tests.e2e.test_web_forms import PASSWORD, csrf

MILK_BARCODE = "4890008100309"
MILK_SCAN = f"(01)0{MILK_BARCODE}(17)261231(10)L7"  # TODAY is Wednesday 2026-11-25
STAFF_PASSWORD = "staff pass phrase"


def log_in(client: TestClient, name: str, password: str) -> None:
    client.get("/login")
    answer = client.post("/login", data={"csrf": csrf(client), "name": name, "password": password})
    assert answer.status_code == 200 and answer.url.path == "/till", answer.text


@pytest.fixture
def shop(sqlite_ctx: Context) -> Context:
    people.add_user(sqlite_ctx, AddUser(name="ada", role="owner", password=PASSWORD))
    people.add_user(sqlite_ctx, AddUser(name="kwan", role="staff", password=STAFF_PASSWORD))
    catalog.add_product(
        sqlite_ctx,
        AddProduct(
            sku="MILK", name="Fresh milk 1 L", expiry_kind="use_by", shelf_life_days=7, barcode=MILK_BARCODE
        ),
    )
    catalog.add_product(
        sqlite_ctx, AddProduct(sku="PINE", name="Tinned pineapple 罐頭菠蘿", shelf_life_days=365)
    )
    return sqlite_ctx


@pytest.fixture
def owner(shop: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx=shop)) as client:
        log_in(client, "ada", PASSWORD)
        yield client


@pytest.fixture
def staff(shop: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx=shop)) as client:
        log_in(client, "kwan", STAFF_PASSWORD)
        yield client


def post(client: TestClient, path: str, **form: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf": csrf(client), **form})


def said(page_text: str) -> str:
    found = re.search(r'<p class="flash" role="status">(.*?)</p>', page_text, re.S)
    return found.group(1) if found else ""


def errors(page_text: str) -> list[str]:
    return re.findall(r'class="error" role="alert"[^>]*>(.*?)<', page_text)


def add_dairy(owner: TestClient) -> str:
    added = post(
        owner,
        "/buying/suppliers",
        name="Kowloon Dairy 九龍奶品",
        day_mon="1",
        day_thu="1",
        lead_time_days="1",
        minimum_order="100",
        contacts="",
        language="en",
    )
    assert added.status_code == 200 and said(added.text) == "Added Kowloon Dairy 九龍奶品"
    supplier = added.url.path
    assert re.fullmatch(r"/buying/suppliers/\d+", supplier)
    terms = post(
        owner, supplier + "/products", sku="MILK", pack_size="12", cost="14.50", supplier_code="KD-1L"
    )
    assert "Fresh milk 1 L (MILK): packs of 12 at HK$14.50 each" in said(terms.text)
    post(owner, supplier + "/products", sku="PINE", pack_size="24", cost="9", supplier_code="")
    return supplier


def test_an_order_from_draft_to_received_through_the_forms(owner: TestClient, staff: TestClient) -> None:
    supplier = add_dairy(owner)
    page = owner.get(supplier)
    assert 'data-sku="MILK"' in page.text and "KD-1L" in page.text and "HK$14.50" in page.text

    listing = owner.get("/buying")
    key = re.search(r'name="key" value="([^"]+)"', listing.text).group(1)  # type: ignore[union-attr]
    made = post(
        owner, "/buying/orders", supplier="Kowloon Dairy 九龍奶品", delivery_date="", note="", key=key
    )
    assert made.status_code == 200 and said(made.text) == "PO-00001 for Kowloon Dairy 九龍奶品: a draft"
    again = post(
        owner, "/buying/orders", supplier="Kowloon Dairy 九龍奶品", delivery_date="", note="", key=key
    )
    assert again.url.path == made.url.path  # the same draft, pressed twice
    order = made.url.path

    # two lines added on the draft form (rounded up to whole packs), then one changed
    short = post(
        owner, order + "/edit", **{"sku.0": "MILK", "qty.0": "20"}, delivery_date="2026-11-26", note=""
    )
    assert short.status_code == 422 and errors(short.text) == [
        "MILK comes in packs of 12: order 12 or 24, not 20"
    ]
    assert re.search(r'has-error"><span>Quantity</span><input name="qty.0" value="20"', short.text)
    edited = post(
        owner, order + "/edit", **{"sku.0": "MILK", "qty.0": "24"}, delivery_date="2026-11-26", note=""
    )
    assert said(edited.text) == "Saved" and "2 × 12" in edited.text
    edited = post(
        owner,
        order + "/edit",
        **{"sku.0": "MILK", "qty.0": "24", "sku.1": "PINE", "qty.1": "24"},
        delivery_date="2026-11-26",
        note="ring before 7",
    )
    assert 'data-sku="PINE"' in edited.text and 'id="order-total">HK$564.00' in edited.text
    bad = post(owner, order + "/edit", **{"sku.0": "MILK", "qty.0": "lots"}, delivery_date="2026-11-26")
    assert bad.status_code == 422 and errors(bad.text) and 'value="lots"' in bad.text  # what was typed stays
    assert "HK$564.00" in owner.get(order).text  # and nothing was changed by it

    printed = owner.get(order + "/print")
    assert "Purchase order PO-00001" in printed.text and 'id="print-total">HK$564.00' in printed.text
    assert "KD-1L" in printed.text
    as_csv = owner.get(order + "/csv")
    assert as_csv.headers["content-type"].startswith("text/csv") and "KD-1L" in as_csv.text
    assert as_csv.content.startswith("\ufeff".encode())  # Excel reads its Chinese names right

    sent = post(owner, order + "/send")
    assert said(sent.text).startswith("PO-00001 marked sent: the supplier has no address")
    assert 'id="order-state">sent' in sent.text and "/receive" in sent.text
    assert 'id="deliveries-none"' in sent.text  # nothing to deliver: the owner phones it in
    assert 'id="deliveries-none"' not in staff.get(order).text  # staff don't see the owner's part

    # the staff at the door: a scan carries the date and the batch; the cursor is back in the scan box
    door = staff.get(order + "/receive")
    assert door.status_code == 200 and 'id="scan"' in door.text and "autofocus" in door.text
    taken = post(staff, order + "/receive", code=MILK_SCAN, quantity="12", location="shelf", expires="")
    assert taken.url.path == order + "/receive"
    assert re.match(
        r"Took in 12 \w+ of Fresh milk 1 L as lot \d+ in shelf, use by 2026-12-31", said(taken.text)
    )
    assert re.search(r'id="scan" value=""[^>]*autofocus', taken.text)
    wrong = post(staff, order + "/receive", code="(01)04890008100308", quantity="1", location="shelf")
    assert wrong.status_code == 422 and any("check digit" in e for e in errors(wrong.text))
    assert 'id="scan" value=""' in wrong.text  # a scan that was not understood is cleared for the next
    # the next pack scanned while the cursor was in the date box: nothing taken in, and it says why
    into_date = post(
        staff, order + "/receive", code="MILK", quantity="1", location="shelf", expires="(01)048900"
    )
    assert into_date.status_code == 422 and any(
        "that was a scan, not a date" in e for e in errors(into_date.text)
    )
    into_qty = post(staff, order + "/receive", code="MILK", quantity="4890008100309", location="shelf")
    assert any("that was a scan, not a quantity" in e for e in errors(into_qty.text))
    assert re.search(r'name="quantity" value=""[^>]*autofocus', into_qty.text)  # the cursor there
    no_qty = post(staff, order + "/receive", code="PINE", quantity="-2", location="shelf")
    assert no_qty.status_code == 422 and 'value="PINE"' in no_qty.text  # kept: only the quantity was wrong
    refused = post(
        staff, order + "/refuse", code="MILK", quantity="6", reason="dented crate", expires="2026-11-26"
    )
    assert said(refused.text) == "Refused 6 of MILK (dented crate): recorded, not taken in"
    asked = post(staff, order + "/finish", note="driver was late")  # short: asked first, nothing closed
    assert 'id="finish-confirm"' in asked.text and "12 each Fresh milk 1 L" in asked.text
    assert 'id="order-state">partly received' in asked.text
    done = post(staff, order + "/finish", note="driver was late", confirmed="1")
    assert "PO-00001 received" in said(done.text)
    assert re.search(
        r'data-sku="MILK"><td>Fresh milk 1 L</td><td>24 \w+</td><td>12</td><td>12</td>', done.text
    )
    assert 'id="order-state">partly received' in done.text or "received" in done.text
    history = owner.get(order)
    assert "dented crate" in history.text and "L7" in history.text
    assert 'id="order-received">HK$174.00' in history.text  # 12 at HK$14.50: what the invoice should say


def test_staff_receive_but_are_refused_suppliers_and_orders_with_the_reason(
    owner: TestClient, staff: TestClient
) -> None:
    add_dairy(owner)
    for path in ("/buying/suppliers", "/buying/suggestions?supplier=1"):
        page = staff.get(path)
        assert page.status_code == 403 and "may not" in page.text, path
    listing = staff.get("/buying")
    assert listing.status_code == 200 and "New order" not in listing.text
    assert "/buying/suppliers" not in listing.text  # not offered what would be refused
    refused = post(staff, "/buying/orders", supplier="Kowloon Dairy 九龍奶品", key="k")
    assert refused.status_code == 403
    assert 'href="/buying"' in staff.get("/till").text


def test_a_bad_supplier_form_says_what_was_wrong_beside_its_box_and_keeps_the_rest(owner: TestClient) -> None:
    bad = post(
        owner, "/buying/suppliers", name="Sham Shui Po Veg", day_sun="1", lead_time_days="ten", contacts=""
    )
    assert bad.status_code == 422
    assert 'value="Sham Shui Po Veg"' in bad.text and re.search(r'name="day_sun" value="1" checked', bad.text)
    assert re.search(r'has-error">\s*<span>Days from order to delivery', bad.text)
    assert any(e.startswith("Days from order to delivery must be") for e in errors(bad.text))  # its label
    partial = owner.get("/buying?supplier=dairy")  # part of a name: said on the page, not a 404 page
    assert partial.status_code == 200 and "give its whole name" in partial.text
    unknown = post(owner, "/buying/orders", supplier="Nobody Ltd", key="k2")
    assert unknown.status_code == 404 and any("Nobody Ltd" in e for e in errors(unknown.text))
    assert owner.get("/buying?state=lost").status_code == 200  # a filter it cannot read: said, not a crash
    assert errors(owner.get("/buying?state=lost").text)
    assert owner.get("/buying/orders/999999").status_code == 404


def test_the_suggestion_accepted_with_a_change_becomes_the_draft(owner: TestClient, shop: Context) -> None:
    add_dairy(owner)
    page = owner.get("/buying/suggestions?supplier=Kowloon Dairy 九龍奶品")
    assert page.status_code == 200 and 'id="accept"' in page.text
    skus = re.findall(r'name="was\.([A-Z]+)" value="([^"]*)"', page.text)
    assert {s for s, _ in skus} <= {"MILK", "PINE"}
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {f"qty.{s}": q for s, q in skus} | {f"was.{s}": q for s, q in skus}
    form["qty.PINE"] = "48"
    form.setdefault("was.PINE", "0")
    made = post(
        owner, "/buying/suggestions/accept", supplier="Kowloon Dairy 九龍奶品", key=key, note="", **form
    )
    assert made.status_code == 200 and "a draft from the suggestions" in said(made.text)
    order = shown.order(purchase_orders.order_detail(shop, int(made.url.path.rsplit("/", 1)[1])), "HKD")
    assert {line.sku: line.quantity for line in order.lines}.get("PINE") == 48
    twice = post(
        owner, "/buying/suggestions/accept", supplier="Kowloon Dairy 九龍奶品", key=key, note="", **form
    )
    assert twice.url.path == made.url.path


def test_a_markdown_suggested_for_stock_that_will_not_sell_is_applied_from_the_page(
    owner: TestClient, shop: Context
) -> None:
    menu.add_menu_item(shop, AddMenuItem(code="MILKC", name="Milk carton", price="16", product="MILK"))
    stock.receive(shop, ReceiveLot(sku="MILK", quantity="40", cost="8", expires="2026-11-28"))
    page = owner.get("/buying/unsold?days=7")
    assert page.status_code == 200
    form = re.search(r'action="/buying/unsold/markdown".*?</form>', page.text, re.S)
    assert form, page.text
    fields = dict(re.findall(r'name="(item|days|percent)" value="([^"]*)"', form.group(0)))
    applied = post(owner, "/buying/unsold/markdown", **fields)
    assert applied.status_code == 200 and "Milk carton is reduced" in said(applied.text)
    item = menu.get_menu_item(shop, "MILKC")
    assert (item.markdown_days, item.markdown_percent) == (int(fields["days"]), Decimal(fields["percent"]))
    assert errors(owner.get("/buying/unsold?days=-3").text)


def test_a_supplier_address_typed_as_people_write_it_is_kept_and_can_be_taken_away(
    owner: TestClient, shop: Context
) -> None:
    page = add_dairy(owner)
    form = {"name": "Kowloon Dairy 九龍奶品", "day_mon": "1", "lead_time_days": "1", "language": "en"}
    added = post(owner, page, **form, contacts="orders@kowloondairy.example.com", active="true")
    assert added.status_code == 200, added.text
    (info,) = suppliers.list_suppliers(shop, SupplierQuery()).items
    assert len(info.contacts) == 1 and "kowloondairy" in info.contacts[0]
    kept = post(owner, page, **form, contacts="", active="true")  # empty: the address stays
    assert kept.status_code == 200
    assert len(suppliers.list_suppliers(shop, SupplierQuery()).items[0].contacts) == 1
    gone = post(owner, page, **form, contacts="", no_contacts="1", active="true")
    assert gone.status_code == 200
    assert suppliers.list_suppliers(shop, SupplierQuery()).items[0].contacts == []


def test_an_emptied_quantity_box_is_pointed_out_not_taken_as_a_line_removed(
    owner: TestClient, shop: Context
) -> None:
    add_dairy(owner)
    listing = owner.get("/buying")
    key = re.search(r'name="key" value="([^"]+)"', listing.text).group(1)  # type: ignore[union-attr]
    order = post(owner, "/buying/orders", supplier="Kowloon Dairy 九龍奶品", key=key).url.path
    post(owner, order + "/edit", **{"sku.0": "MILK", "qty.0": "24", "sku.1": "PINE", "qty.1": "24"})
    emptied = post(owner, order + "/send", **{"sku.0": "MILK", "qty.0": "", "sku.1": "PINE", "qty.1": "24"})
    assert emptied.status_code == 422 and errors(emptied.text)  # said beside the box; nothing sent
    detail = purchase_orders.order_detail(shop, int(order.rsplit("/", 1)[1]))
    assert detail.head.state.value == "draft" and [ln.sku for ln in detail.lines] == ["MILK", "PINE"]
    twice = post(owner, order + "/send", **{"sku.0": "MILK", "qty.0": "24", "sku.1": "MILK", "qty.1": "12"})
    assert twice.status_code == 422 and any("MILK is on the order twice" in e for e in errors(twice.text))
    friday = post(owner, order + "/send", **{"sku.0": "MILK", "qty.0": "24"}, delivery_date="2026-11-27")
    assert "Check: they deliver on Mon, Thu, not on Fridays" in said(friday.text)  # the warning is kept
    asked = post(owner, order + "/finish", confirmed="0")  # only "1" finishes a short order unasked
    assert 'id="finish-confirm"' in asked.text
