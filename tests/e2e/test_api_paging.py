"""Every list is a page, {"items", "next_cursor"}: following the cursors shows each item once, filters included."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from midnight.commands.stock import ReceiveLot
from midnight.commands.till import LineIn, PlaceOrder, VoidOrder
from midnight.services import orders, stock
from tests.conftest import TODAY
from tests.e2e.conftest import Api, assert_error, stock_shop


def follow(api: Api, url: str, **params: object) -> list[dict[str, Any]]:
    """Every item of a list, page by page; each page is the documented shape."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(10_000):
        page = api.as_owner("GET", url, params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        assert set(body) == {"items", "next_cursor"} and isinstance(body["items"], list)
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
        assert isinstance(cursor, str) and body["items"], "a page with a next cursor shows something"
    raise AssertionError(f"{url} never ended")


def fill_every_list(api: Api) -> None:
    """At least two of everything each list shows."""
    stock_shop(api)
    for key, code in (("p1", "TIN"), ("p2", "SANDWICH")):
        placed = api.as_staff(
            "POST", "/api/orders", json={"lines": [{"code": code}]}, headers={"Idempotency-Key": key}
        )
        assert placed.status_code == 201
    for name, nickname in (("Mr Chan", "663"), ("Ms Wong", "664")):
        customer = {"name": name, "nickname": nickname, "contacts": [f"mailto://{nickname}@example.com"]}
        assert api.as_staff("POST", "/api/customers", json=customer).status_code == 201
        held = api.as_staff("POST", "/api/holds", json={"description": "keys", "for_customer": nickname})
        assert held.status_code == 201
    for box in ("a", "b"):
        target = {"url": f"mailto://{box}@example.com", "label": box}
        assert api.as_owner("POST", "/api/notify/targets", json=target).status_code == 201


LISTS = [
    "/api/holds",
    "/api/customers",
    "/api/notify/messages",
    "/api/users",
    "/api/tokens",
    "/api/locations",
    "/api/notify/targets",
    "/api/orders",
    "/api/products",
    "/api/stock",
    "/api/menu",
    "/api/movements",
    "/api/expiring?days=365",
]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_is_a_page_and_its_cursors_show_each_item_once(api: Api, url: str) -> None:
    fill_every_list(api)
    path, _, query = url.partition("?")
    params = dict(part.split("=") for part in query.split("&")) if query else {}
    whole = follow(api, path, **params, limit=1000)
    assert len(whole) >= 2, f"{url} needs two items to page through"
    one_by_one = follow(api, path, **params, limit=1)
    assert one_by_one == whole  # same items, same order, none twice, none left out
    assert len({json.dumps(item, sort_keys=True) for item in whole}) == len(whole)


def test_a_cursor_belongs_to_its_own_list(api: Api) -> None:
    fill_every_list(api)
    from_products = api.as_owner("GET", "/api/products", params={"limit": 1}).json()["next_cursor"]
    from_orders = api.as_owner("GET", "/api/orders", params={"limit": 1}).json()["next_cursor"]
    assert from_products and from_orders
    assert_error(
        api.as_owner("GET", "/api/orders", params={"cursor": from_products}),
        422,
        "invalid_input",
        field="cursor",
    )
    assert_error(
        api.as_owner("GET", "/api/products", params={"cursor": from_orders}),
        422,
        "invalid_input",
        field="cursor",
    )


def test_the_order_list_pages_through_every_order(api: Api) -> None:
    """Well past a thousand orders: every one is shown once, newest first, and filters apply before the page."""
    stock_shop(api)
    how_many = 1_050
    line = [LineIn(code="TIN")]
    ids = [orders.place_order(api.ctx, f"bulk-{n}", PlaceOrder(lines=line)).id for n in range(how_many)]
    voided = ids[3::150]  # spread through the history, so every page of the filter starts past a gap
    for order_id in voided:
        orders.void_order(api.ctx, order_id, VoidOrder(reason="test"))
    seen = [order["id"] for order in follow(api, "/api/orders", limit=200)]
    assert seen == sorted(ids, reverse=True)  # each order once, newest first
    first = api.as_owner("GET", "/api/orders").json()
    assert len(first["items"]) == 50 and first["next_cursor"]  # the default page
    only_void = follow(api, "/api/orders", state="void", limit=2)
    assert [o["id"] for o in only_void] == sorted(voided, reverse=True)
    assert {o["state"] for o in only_void} == {"void"}
    open_ones = follow(api, "/api/orders", state="open", limit=1000)
    assert len(open_ones) == how_many - len(voided)


def test_the_expiry_board_filters_before_it_pages(api: Api) -> None:
    """Lots matching a filter only far down the board are still found on the first page of that filter."""
    stock_shop(api)
    api.as_owner("POST", "/api/products", json={"sku": "MILK", "name": "Milk", "expiry_kind": "use_by"})

    def receive(expires: dt.date, location: str, received: dt.date | None = None) -> int:
        cmd = ReceiveLot(sku="MILK", quantity=1, expires=expires, location=location, received=received)
        return stock.receive(api.ctx, cmd).lot.id

    early = TODAY - dt.timedelta(days=20)
    expired = [receive(TODAY - dt.timedelta(days=5), "shelf", early) for _ in range(12)]
    due_today = [receive(TODAY, "shelf") for _ in range(12)]
    in_freezer = [receive(TODAY + dt.timedelta(days=2), "freezer") for _ in range(2)]

    def board(**params: object) -> dict[str, Any]:
        response = api.as_staff("GET", "/api/expiring", params={"limit": 5, **params})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    by_place = board(location="freezer")
    assert [lot["id"] for lot in by_place["items"]] == in_freezer and by_place["next_cursor"] is None
    by_state = board(state="soon")
    assert [lot["id"] for lot in by_state["items"]] == in_freezer and by_state["next_cursor"] is None
    assert board(state="expired", location="freezer") == {"items": [], "next_cursor": None}
    assert [lot["id"] for lot in follow(api, "/api/expiring", state="today", limit=5)] == due_today
    assert [lot["id"] for lot in follow(api, "/api/expiring", state="expired", limit=5)] == expired
    whole = [lot["id"] for lot in follow(api, "/api/expiring", limit=5)]
    assert whole[:12] == expired and whole[12:24] == due_today and whole[24:26] == in_freezer
