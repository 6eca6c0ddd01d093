"""The web pages' forms, over HTTP as a browser sends them: what a person sees after each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from midnight.api import create_app
from midnight.commands.catalog import AddProduct
from midnight.commands.counter import AddCustomer
from midnight.commands.people import AddUser
from midnight.commands.stock import DrawStock, ReceiveLot
from midnight.services import catalog, customers, people, stock, views
from midnight.services.context import Context

PASSWORD = "owner pass phrase"


@pytest.fixture
def browser(sqlite_ctx: Context) -> Iterator[TestClient]:
    """A client logged in through the login form, as a browser would be."""
    people.add_user(sqlite_ctx, AddUser(name="ada", role="owner", password=PASSWORD))
    with TestClient(create_app(ctx=sqlite_ctx)) as client:
        client.get("/login")
        login = client.post("/login", data={"csrf": csrf(client), "name": "ada", "password": PASSWORD})
        assert login.status_code == 200 and login.url.path == "/till"
        yield client


def csrf(client: TestClient) -> str:
    token = client.cookies.get("midnight_csrf")
    assert token
    return token


def test_the_admin_page_still_opens_after_a_notification_target_is_added(browser: TestClient) -> None:
    added = browser.post(
        "/admin/targets",
        data={"csrf": csrf(browser), "url": "mailtos://shop:secret@example.com", "label": "Owner"},
    )
    assert added.status_code == 200 and added.url.path == "/admin"
    page = browser.get("/admin")
    assert page.status_code == 200
    assert "mailtos://shop:****@example.com" in page.text and "secret" not in page.text


def test_the_owner_takes_an_item_off_the_menu_and_puts_it_back_on_the_admin_page(
    browser: TestClient, sqlite_ctx: Context
) -> None:
    from midnight.commands.till import AddMenuItem
    from midnight.services import menu

    catalog.add_product(sqlite_ctx, AddProduct(sku="TEA-CAN", name="Lemon tea can", shelf_life_days=300))
    menu.add_menu_item(sqlite_ctx, AddMenuItem(code="TEA", name="Lemon tea", price="12", product="TEA-CAN"))
    off = browser.post("/admin/menu/TEA/active", data={"csrf": csrf(browser), "active": "false"})
    assert off.status_code == 200 and "Put back on: TEA" in off.text
    assert not menu.get_menu_item(sqlite_ctx, "TEA").active
    on = browser.post("/admin/menu/TEA/active", data={"csrf": csrf(browser), "active": "true"})
    assert "Take off the menu: TEA" in on.text and menu.get_menu_item(sqlite_ctx, "TEA").active


def test_holding_an_item_for_someone_unknown_says_so_beside_the_box(
    browser: TestClient, sqlite_ctx: Context
) -> None:
    customers.add_customer(sqlite_ctx, AddCustomer(name="Chan Tai Man"))
    customers.add_customer(sqlite_ctx, AddCustomer(name="Chan Tai Man"))
    for who, said in [("nobody", "no customer is called"), ("Chan Tai Man", "2 customers are called")]:
        page = browser.post(
            "/shelf", data={"csrf": csrf(browser), "description": "keys", "for_customer": who}
        )
        assert page.status_code in (404, 422)
        assert said in page.text
        assert re.search(r'name="for_customer" value="' + re.escape(who), page.text)  # what was typed is kept


def test_a_delivery_received_on_the_board_is_not_received_again_by_a_reload(
    browser: TestClient, sqlite_ctx: Context
) -> None:
    catalog.add_product(sqlite_ctx, AddProduct(sku="PINE", name="Tinned pineapple", shelf_life_days=365))
    done = browser.post("/stock/receive", data={"csrf": csrf(browser), "code": "PINE", "quantity": "3"})
    assert done.url.path == "/stock" and "Received lot" in done.text
    again = browser.get(str(done.url))  # the reload a person might press
    assert again.status_code == 200
    assert len(views.product_stock(sqlite_ctx, "PINE").lots) == 1


def test_a_long_ledger_pages_back_instead_of_stopping(browser: TestClient, sqlite_ctx: Context) -> None:
    catalog.add_product(sqlite_ctx, AddProduct(sku="PINE", name="Tinned pineapple", shelf_life_days=365))
    stock.receive(sqlite_ctx, ReceiveLot(sku="PINE", quantity=300))
    for _ in range(210):
        stock.sell(sqlite_ctx, DrawStock(sku="PINE", quantity=1))
    first = browser.get("/stock/ledger", params={"sku": "PINE"})
    link = re.search(r'href="(/stock/ledger\?[^"]*cursor=[^"]+)"', first.text)
    assert link, "no link to older movements"
    older = browser.get(link.group(1).replace("&amp;", "&"))
    assert older.status_code == 200 and "delivery" in older.text  # the first movement, at the end


def test_a_till_form_missing_a_lines_note_box_is_refused_not_cut_short(
    browser: TestClient, sqlite_ctx: Context
) -> None:
    catalog.add_product(sqlite_ctx, AddProduct(sku="PINE", name="Tinned pineapple", shelf_life_days=365))
    stock.receive(sqlite_ctx, ReceiveLot(sku="PINE", quantity=10, cost="9"))
    from midnight.commands.till import AddMenuItem, OrderQuery
    from midnight.services import menu, orders

    menu.add_menu_item(sqlite_ctx, AddMenuItem(code="TIN", name="Tin", price="18", product="PINE"))
    # two lines rung up, but only one note box came through: the second line must not vanish quietly
    form = [
        ("csrf", csrf(browser)),
        ("key", "k1"),
        ("code", "TIN"),
        ("qty", "1"),
        ("note", ""),
        ("code", "TIN"),
    ]
    form += [("qty", "2"), ("cash", "100")]
    page = browser.post(
        "/till/pay", content=urlencode(form), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert "the order form is incomplete" in page.text
    assert orders.list_orders(sqlite_ctx, OrderQuery()).items == []


def test_the_stock_board_finds_a_location_whatever_its_case(browser: TestClient, sqlite_ctx: Context) -> None:
    catalog.add_product(sqlite_ctx, AddProduct(sku="MILK", name="Fresh milk", shelf_life_days=7))
    stock.receive(sqlite_ctx, ReceiveLot(sku="MILK", quantity=4, location="fridge"))
    stock.receive(sqlite_ctx, ReceiveLot(sku="MILK", quantity=9, location="shelf"))
    page = browser.get("/stock", params={"location": "FRIDGE"})
    assert page.status_code == 200
    assert "4 each" in page.text and "9 each" not in page.text
