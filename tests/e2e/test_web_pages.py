"""Error pages, closing the day, the drawer and the shelf's new forms, over HTTP as a browser sends them."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import midnight.api
import midnight.web
from midnight.api import create_app
from midnight.commands.counter import AddCustomer, HoldItem, ShelfQuery
from midnight.commands.people import AddUser
from midnight.domain.clock import FixedClock
from midnight.domain.errors import MAX_ID
from midnight.services import customers, holds, people, reports
from midnight.services.context import Context
from midnight.web import offline as web_offline
from tests.e2e.test_web_forms import PASSWORD, csrf


@pytest.fixture
def browser(sqlite_ctx: Context) -> Iterator[TestClient]:
    people.add_user(sqlite_ctx, AddUser(name="ada", role="owner", password=PASSWORD))
    with TestClient(create_app(ctx=sqlite_ctx)) as client:
        log_in(client)
        yield client


def log_in(client: TestClient) -> None:
    client.get("/login")
    client.post("/login", data={"csrf": csrf(client), "name": "ada", "password": PASSWORD})


@pytest.mark.parametrize(
    ("method", "path", "status", "said"),
    [
        ("GET", "/no-such-page", 404, "There is no page at this address"),
        ("GET", "/shelf/1/pickup", 405, "cannot be opened that way"),
        ("PUT", "/reports", 405, "cannot be opened that way"),
        ("GET", "/logout", 405, "cannot be opened that way"),
        ("GET", "/shelf?cursor=nonsense", 422, "start again without a cursor"),
        ("GET", "/drawer/abc", 404, "There is no page at this address"),
        ("POST", "/shelf/99999999999999999999/pickup", 404, "There is no page at this address"),
        ("GET", "/reports/close", 422, "say which day to close"),
        ("GET", "/reports/close?date=2026-02-30", 422, "not a real calendar date"),
        ("GET", "/drawer?cursor=zz", 422, "start again without a cursor"),
    ],
)
def test_every_page_path_answers_a_person_with_a_page(
    browser: TestClient, method: str, path: str, status: int, said: str
) -> None:
    page = browser.request(method, path)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert said in page.text and '{"error"' not in page.text
    assert '<a href="/drawer">Cash drawer</a>' in page.text  # the menu, for someone logged in


def test_api_paths_keep_answering_json(browser: TestClient) -> None:
    for method, path, status in (("GET", "/api/nope", 404), ("DELETE", "/api/menu", 405)):
        answer = browser.request(method, path, headers={"Authorization": "Bearer x"})
        assert answer.status_code in (status, 401) and answer.headers["content-type"] == "application/json"


def test_a_bad_date_on_the_reports_page_says_so_in_a_sentence(browser: TestClient) -> None:
    page = browser.get("/reports?start=garbage")
    assert page.status_code == 200
    assert "Start must be a date like 2026-12-31" in page.text and "Showing the last seven days" in page.text


def test_the_close_button_under_yesterdays_report_closes_yesterday(
    browser: TestClient, sqlite_ctx: Context, clock: FixedClock
) -> None:
    clock.advance(dt.timedelta(hours=15))  # 01:00 on 2026-11-26; 2026-11-25 is not closed
    log_in(browser)  # the evening's session has ended
    report = browser.get("/reports?end=2026-11-25")
    assert "X report — business day Wed 2026-11-25" in report.text
    assert 'href="/reports/close?date=2026-11-25"' in report.text
    confirm = browser.get("/reports/close?date=2026-11-25")
    assert (
        "Close business day Wed 2026-11-25 (Z)" in confirm.text
        and 'name="date" value="2026-11-25"' in confirm.text
    )
    assert "Cash expected in drawer" in confirm.text
    done = browser.post(
        "/reports/close",
        data={"csrf": csrf(browser), "date": "2026-11-25", "piece_10000": "1", "piece_50": "1"},
    )
    assert done.status_code == 200 and done.url.path == "/reports" and done.url.query == b"end=2026-11-25"
    assert "Z report — business day Wed 2026-11-25" in done.text
    assert "HK$100.50 over" in done.text
    assert reports.z_report(sqlite_ctx, dt.date(2026, 11, 25)).cash_counted == 10050
    with pytest.raises(Exception, match="has not been closed"):
        reports.z_report(sqlite_ctx, dt.date(2026, 11, 26))  # today is still open
    again = browser.post("/reports/close", data={"csrf": csrf(browser), "date": "2026-11-25", "counted": "1"})
    assert again.status_code == 409 and "Wed 2026-11-25 was already closed" in again.text
    future = browser.get("/reports?end=2026-11-27")
    assert "/reports/close?date=2026-11-27" not in future.text and "has not started yet" in future.text


def test_a_count_that_does_not_add_up_comes_back_with_what_was_typed(browser: TestClient) -> None:
    page = browser.post(
        "/reports/close",
        data={"csrf": csrf(browser), "date": "2026-11-25", "counted": "9", "piece_1000": "1"},
    )
    assert page.status_code == 422
    assert "the notes and coins come to HK$10.00, not HK$9.00" in page.text
    assert 'name="piece_1000" inputmode="numeric" autocomplete="off" size="4" value="1"' in page.text
    preview = browser.post("/drawer/count", data={"csrf": csrf(browser), "piece_1000": "2", "piece_50": "3"})
    assert preview.text == "The notes and coins come to <strong>HK$21.50</strong>."


def test_the_drawer_page_opens_pays_out_once_and_closes(browser: TestClient) -> None:
    assert "Open a drawer" in browser.get("/drawer").text
    opened = browser.post("/drawer/open", data={"csrf": csrf(browser), "till": "Till 1", "float": "100"})
    assert opened.url.path == "/drawer" and "Till 1 — ada" in opened.text
    session = opened.text.split('action="/drawer/')[1].split("/")[0]
    form = {"csrf": csrf(browser), "key": "k-1", "amount": "20", "reason": "window cleaner", "kind": "out"}
    browser.post(f"/drawer/{session}/move", data=form)
    page = browser.post(f"/drawer/{session}/move", data=form)  # a double tap
    assert page.text.count("window cleaner") == 1 and "HK$80.00" in page.text
    refused = browser.post(
        f"/drawer/{session}/move", data={"csrf": csrf(browser), "kind": "out", "amount": "5"}
    )
    assert refused.status_code == 422 and "reason is required" in refused.text
    closed = browser.post(f"/drawer/{session}/close", data={"csrf": csrf(browser), "counted": "79"})
    assert "HK$1.00 short" in closed.text and "Open a drawer" not in closed.text


def test_the_shelf_offers_to_add_someone_unknown_and_holds_once(
    browser: TestClient, sqlite_ctx: Context
) -> None:
    form = {"csrf": csrf(browser), "description": "cake", "for_customer": "Mrs Lee", "key": "form-9"}
    asked = browser.post("/shelf", data=form)
    assert asked.status_code == 404
    assert "no customer is called &#39;Mrs Lee&#39;" in asked.text
    assert 'name="new_customer" value="true"' in asked.text and 'value="form-9"' in asked.text
    held = browser.post("/shelf", data={**form, "new_customer": "true"})
    assert "Holding item" in held.text and 'id="pickup-code"' in held.text
    twice = browser.post("/shelf", data={**form, "new_customer": "true"})
    assert "already on the shelf for Mrs Lee (the form was sent twice)" in twice.text
    assert 'id="pickup-code"' not in twice.text
    assert len(holds.shelf(sqlite_ctx, ShelfQuery()).items) == 1


def test_the_pickup_code_box_finds_the_item(browser: TestClient, sqlite_ctx: Context) -> None:
    customers.add_customer(sqlite_ctx, AddCustomer(name="Mr Chan"))
    new = holds.hold_item(sqlite_ctx, HoldItem(description="keys", for_customer="Mr Chan"))
    found = browser.post("/shelf/find", data={"csrf": csrf(browser), "code": new.code})
    assert f'id="found-{new.hold.id}"' in found.text and "I checked it is Mr Chan" in found.text
    wrong = browser.post("/shelf/find", data={"csrf": csrf(browser), "code": "12345"})
    assert (
        wrong.status_code == 422
        and "a pickup code is six digits" in wrong.text
        and 'value="12345"' in wrong.text
    )
    done = browser.post(
        f"/shelf/{new.hold.id}/pickup", data={"csrf": csrf(browser), "from": "find", "code": new.code}
    )
    assert f"Item {new.hold.id} handed over to Mr Chan" in done.text


def test_a_fault_or_an_oversized_form_on_a_page_is_still_a_page(
    sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    people.add_user(sqlite_ctx, AddUser(name="ada", role="owner", password=PASSWORD))

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(holds, "shelf", broken)
    with TestClient(create_app(ctx=sqlite_ctx), raise_server_exceptions=False) as client:
        log_in(client)
        fault = client.get("/shelf")
        assert fault.status_code == 500 and fault.headers["content-type"].startswith("text/html")
        assert (
            "Something went wrong on our side; it has been logged" in fault.text and "a bug" not in fault.text
        )
        assert client.get("/api/holds").headers["content-type"] == "application/json"
        big = client.post("/shelf", content=b"x" * (1024 * 1024 + 1))
        assert big.status_code == 413 and big.headers["content-type"].startswith("text/html")
        assert "The request is larger than 1024 KiB." in big.text


def test_every_number_in_a_path_is_bounded_as_the_apis_ids_are() -> None:
    """A number past what the database holds is a wrong address (404 page, 422 JSON), never a crash
    (OverflowError: Python int too large to convert to SQLite INTEGER)."""
    unbounded = []
    for package in (midnight.web, midnight.api):
        for found in pkgutil.iter_modules(package.__path__):
            router = getattr(importlib.import_module(f"{package.__name__}.{found.name}"), "router", None)
            for route in getattr(router, "routes", []):
                if isinstance(route, APIRoute):
                    unbounded += [
                        f"{route.path} {param.name}"
                        for param in route.dependant.path_params
                        if param.field_info.annotation is int
                        and not any(getattr(rule, "le", None) == MAX_ID for rule in param.field_info.metadata)
                    ]
    assert unbounded == []


@pytest.mark.parametrize("order", ["99999999999999999999", str(MAX_ID + 1), "0", "-1"])
def test_reopening_an_order_number_past_any_order_is_a_wrong_address_not_a_crash(
    browser: TestClient, order: str
) -> None:
    page = browser.post(f"/till/reopen/{order}", data={"csrf": csrf(browser)})
    assert page.status_code == 404 and "There is no page at this address" in page.text


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # too deep for any JSON parser
        b'{"lines": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
        b'{"lines": [' + b'{"a": ' * 900 + b"1" + b"}" * 900 + b"]}",  # deep, but JSON: not an order
    ],
)
def test_an_offline_order_nested_past_reason_is_answered_in_json_as_not_an_order(
    browser: TestClient, body: bytes
) -> None:
    sent = browser.post(
        "/till/offline/orders",
        content=body,
        headers={
            "Idempotency-Key": "deep-1",
            "X-CSRF-Token": csrf(browser),
            "Content-Type": "application/json",
        },
    )
    assert sent.status_code == 422, sent.text[:200]
    assert sent.headers["content-type"].startswith("application/json")
    error = sent.json()["error"]
    assert error["code"] == "invalid_input" and error["field"] is not None
    assert "not an order" in error["message"] or error["field"].startswith("lines")


def test_a_fault_where_the_till_sends_its_offline_orders_is_still_json(
    sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The till's script reads every answer there as JSON; an error page would be taken for nothing."""
    people.add_user(sqlite_ctx, AddUser(name="ada", role="owner", password=PASSWORD))

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(web_offline, "build", broken)
    with TestClient(create_app(ctx=sqlite_ctx), raise_server_exceptions=False) as client:
        log_in(client)
        fault = client.post(
            "/till/offline/orders",
            json={},
            headers={"Idempotency-Key": "k-1", "X-CSRF-Token": csrf(client)},
        )
        assert fault.status_code == 500 and fault.headers["content-type"] == "application/json"
        assert fault.json()["error"]["code"] == "internal" and "a bug" not in fault.text
