"""The kitchen over HTTP: its API (stations, marking items, tickets, bump, recall) and its screens."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from midnight.api import create_app
from midnight.commands import build
from midnight.commands.people import AddUser
from midnight.commands.till import ParkOrder, PlaceOrder
from midnight.services import kitchen, orders, people
from midnight.services.context import Context
from tests.e2e.conftest import Api, assert_error
from tests.e2e.test_web_forms import PASSWORD, csrf
from tests.integration.till_setup import open_snack_bar, stock_up


def _sell_salad(ctx: Context, key: str, **extra: object) -> orders.OrderInfo:
    body = {"lines": [{"code": "SALAD", "quantity": 1, "note": "no onion"}], **extra}
    return orders.place_order(
        ctx, key, build(PlaceOrder, {"payments": [{"method": "cash", "amount": "50"}], **body})
    )


@pytest.fixture
def shop(api: Api) -> Api:
    open_snack_bar(api.ctx)
    stock_up(api.ctx)
    return api


def test_the_owner_sets_up_a_station_and_marks_an_item_and_staff_bump_its_tickets(shop: Api) -> None:
    added = shop.as_owner("POST", "/api/kitchen/stations", json={"name": "Kitchen"})
    assert added.status_code == 201, added.text
    assert added.json() == {
        "id": added.json()["id"],
        "name": "Kitchen",
        "printer": None,
        "active": True,
        "waiting": 0,
    }
    marked = shop.as_owner("PUT", "/api/menu/SALAD/station", json={"station": "kitchen"})
    assert marked.status_code == 200 and marked.json()["kitchen_station"] == "Kitchen"
    assert shop.as_staff("GET", "/api/menu/SALAD").json()["kitchen_station"] == "Kitchen"
    order = _sell_salad(shop.ctx, "k1")
    page = shop.as_staff("GET", "/api/kitchen/Kitchen/tickets").json()
    assert page["next_cursor"] is None
    (ticket,) = page["items"]
    assert ticket["call_number"] == order.call_number and ticket["order_id"] == order.id
    assert ticket["items"] == [
        {"name": "廚師沙律 Chef's salad", "quantity": "1", "modifiers": "", "note": "no onion"}
    ]
    assert shop.as_staff("GET", "/api/kitchen/stations").json()[0]["waiting"] == 1
    bumped = shop.as_staff("POST", f"/api/kitchen/tickets/{ticket['id']}/bump")
    assert bumped.status_code == 200 and bumped.json()["bumped_by"] == "kwan"
    assert shop.as_staff("GET", "/api/kitchen/Kitchen/tickets").json()["items"] == []
    recalled = shop.as_staff("POST", f"/api/kitchen/tickets/{ticket['id']}/recall")
    assert recalled.status_code == 200 and recalled.json()["bumped_at"] is None
    assert_error(
        shop.as_staff("POST", f"/api/kitchen/tickets/{ticket['id']}/recall"), 409, "conflict", "not bumped"
    )
    assert shop.as_staff("GET", f"/api/kitchen/tickets/{ticket['id']}").json()["id"] == ticket["id"]


def test_the_kitchen_api_refuses_what_is_wrong_in_a_sentence(shop: Api) -> None:
    assert_error(shop.as_staff("POST", "/api/kitchen/stations", json={"name": "Bar"}), 403, "forbidden")
    assert_error(
        shop.as_owner("POST", "/api/kitchen/stations", json={"name": ""}), 422, "invalid_input", field="name"
    )
    assert_error(
        shop.as_owner("POST", "/api/kitchen/stations", json={"name": "Bar", "printer": "Nope"}),
        404,
        "not_found",
        "no printer called Nope",
        field="printer",
    )
    assert shop.as_owner("POST", "/api/kitchen/stations", json={"name": "Bar"}).status_code == 201
    assert_error(
        shop.as_owner("POST", "/api/kitchen/stations", json={"name": "bar"}), 409, "conflict", "already"
    )
    assert_error(
        shop.as_owner("PUT", "/api/menu/SALAD/station", json={"station": "Grill"}),
        404,
        "not_found",
        "no kitchen station called Grill",
        field="station",
    )
    assert_error(
        shop.as_owner("PUT", "/api/menu/SALAD/station", json={}), 422, "invalid_input", "station is required"
    )
    assert (
        shop.as_owner("PUT", "/api/menu/SALAD/station", json={"station": None}).json()["kitchen_station"]
        is None
    )
    assert_error(
        shop.as_staff("POST", "/api/kitchen/tickets/12345/bump"), 404, "not_found", "no kitchen ticket 12345"
    )
    assert_error(shop.as_staff("GET", "/api/kitchen/Grill/tickets"), 404, "not_found", field="station")
    assert_error(
        shop.as_staff("GET", "/api/kitchen/Bar/tickets", params={"cursor": "x"}), 422, "invalid_input"
    )
    assert_error(
        shop.as_owner("PUT", "/api/kitchen/stations/Bar/printer", json={"printer": "Nope"}), 404, "not_found"
    )
    cleared = shop.as_owner("PUT", "/api/kitchen/stations/Bar/printer", json={"printer": None})
    assert cleared.status_code == 200 and cleared.json()["printer"] is None


def test_waiting_tickets_page_oldest_first(shop: Api) -> None:
    kitchen.add_station(shop.ctx, "Kitchen")
    kitchen.set_item_station(shop.ctx, "SALAD", "Kitchen")
    made = [_sell_salad(shop.ctx, f"k{n}").call_number for n in range(3)]
    first = shop.as_staff("GET", "/api/kitchen/Kitchen/tickets", params={"limit": 2}).json()
    rest = shop.as_staff(
        "GET", "/api/kitchen/Kitchen/tickets", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [t["call_number"] for t in first["items"] + rest["items"]] == made and rest["next_cursor"] is None


# --- the screens ---------------------------------------------------------------------------------


@pytest.fixture
def screen(sqlite_ctx: Context) -> Iterator[TestClient]:
    open_snack_bar(sqlite_ctx)
    stock_up(sqlite_ctx)
    kitchen.add_station(sqlite_ctx, "Cold kitchen")
    kitchen.set_item_station(sqlite_ctx, "SALAD", "Cold kitchen")
    people.add_user(sqlite_ctx, AddUser(name="ada", role="owner", password=PASSWORD))
    with TestClient(create_app(ctx=sqlite_ctx)) as client:
        client.get("/login")
        client.post("/login", data={"csrf": csrf(client), "name": "ada", "password": PASSWORD})
        yield client


def test_a_station_screen_shows_each_ticket_as_a_card_and_a_bump_takes_it_off(
    screen: TestClient, sqlite_ctx: Context
) -> None:
    stations = screen.get("/kitchen")
    assert 'href="/kitchen/Cold%20kitchen"' in stations.text and "0 to make" in stations.text
    order = _sell_salad(sqlite_ctx, "k1")
    parked = orders.park_order(
        sqlite_ctx,
        "t4",
        build(
            ParkOrder,
            {"lines": [{"code": "SALAD", "quantity": 2}], "label": "Table 4", "send_to_kitchen": True},
        ),
    )
    orders.park_order(
        sqlite_ctx,
        "t4",
        build(
            ParkOrder,
            {
                "lines": [{"code": "SALAD", "quantity": 1}],
                "label": "Table 4",
                "send_to_kitchen": True,
                "revision": parked.revision,
            },
        ),
    )
    sqlite_ctx.clock.advance(dt.timedelta(minutes=4))  # type: ignore[attr-defined]
    page = screen.get("/kitchen/Cold%20kitchen")
    assert page.status_code == 200
    assert 'hx-get="/kitchen/Cold%20kitchen/board" hx-trigger="every 2s"' in page.text
    assert f"#{order.call_number}</h2>" in page.text and "Note: no onion" in page.text
    assert "4 min" in page.text and "Table 4" in page.text and "Change to an order sent before" in page.text
    assert re.search(r'<strong class="cancel-word">CANCEL</strong> <span class="qty">1 ×</span>', page.text)
    ticket = kitchen.board(sqlite_ctx, "Cold kitchen").waiting.items[0]
    refused = screen.post(f"/kitchen/tickets/{ticket.id}/bump", data={})
    assert refused.status_code == 422 and "the form expired" in refused.text
    done = screen.post(f"/kitchen/tickets/{ticket.id}/bump", data={"csrf": csrf(screen)})
    assert done.url.path == "/kitchen/Cold kitchen"
    assert f'data-ticket="{ticket.id}"' not in done.text and f"Recall #{order.call_number}" in done.text
    # htmx posts with the token in a header and swaps in the board it is sent on to.
    swapped = screen.post(
        f"/kitchen/tickets/{ticket.id}/recall", headers={"HX-Request": "true", "X-CSRF-Token": csrf(screen)}
    )
    assert swapped.url.path.endswith("/board")
    assert '<section id="kitchen-board"' in swapped.text and f'data-ticket="{ticket.id}"' in swapped.text
    again = screen.post(
        f"/kitchen/tickets/{ticket.id}/recall", headers={"HX-Request": "true", "X-CSRF-Token": csrf(screen)}
    )
    assert again.status_code == 200  # a double tap: it is on the screen, as asked
    assert screen.get("/kitchen/Nowhere").status_code == 404


def test_the_owner_adds_a_station_and_marks_an_item_from_the_kitchen_page(screen: TestClient) -> None:
    added = screen.post("/kitchen/stations", data={"csrf": csrf(screen), "name": "Bar"})
    assert added.url.path == "/kitchen" and 'href="/kitchen/Bar"' in added.text
    twice = screen.post("/kitchen/stations", data={"csrf": csrf(screen), "name": "bar"})
    assert twice.status_code == 409 and "already a station called bar" in twice.text
    marked = screen.post("/kitchen/items", data={"csrf": csrf(screen), "code": "TIN", "station": "Bar"})
    assert marked.status_code == 200
    unknown = screen.post("/kitchen/items", data={"csrf": csrf(screen), "code": "NOPE", "station": ""})
    assert unknown.status_code == 404 and "unknown menu item NOPE" in unknown.text


def test_changing_a_stations_printer_answers_how_many_tickets_wait_there(shop: Api) -> None:
    kitchen.add_station(shop.ctx, "Kitchen")
    kitchen.set_item_station(shop.ctx, "SALAD", "Kitchen")
    for n in range(5):
        _sell_salad(shop.ctx, f"k{n}")
    changed = shop.as_owner("PUT", "/api/kitchen/stations/Kitchen/printer", json={"printer": None})
    assert changed.status_code == 200 and changed.json()["waiting"] == 5
    assert shop.as_staff("GET", "/api/kitchen/stations").json()[0]["waiting"] == 5
    assert kitchen.get_station(shop.ctx, "kitchen").waiting == 5
