"""Input the API refuses: each gets 422 in the one error shape, names the field, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Api, assert_error, everything, stock_shop

KEY = {"Idempotency-Key": "refused-1"}

# Numbers that are not plain ASCII decimals, or are too big to mean anything.
BAD_NUMBERS = [
    pytest.param(True, id="bool"),
    pytest.param("1_000", id="underscore"),
    pytest.param("١٢", id="arabic-indic"),
    pytest.param("１２", id="full-width"),
    pytest.param("1e999999", id="huge-exponent"),
]


# Where a number goes, as (method, url, body with the number, headers, the field named in the error).
NUMBER_FIELDS = [
    ("POST", "/api/stock/receive", lambda v: {"sku": "PINE", "quantity": v}, {}, "quantity"),
    ("POST", "/api/stock/sell", lambda v: {"sku": "PINE", "quantity": v}, {}, "quantity"),
    ("POST", "/api/orders", lambda v: {"lines": [{"code": "TIN", "quantity": v}]}, KEY, "lines.1.quantity"),
    ("POST", "/api/stock/receive", lambda v: {"sku": "PINE", "quantity": "1", "cost": v}, {}, "cost"),
    ("POST", "/api/menu", lambda v: {"code": "X", "name": "X", "price": v, "product": "PINE"}, {}, "price"),
    ("PUT", "/api/menu/TIN/price", lambda v: {"price": v}, {}, "price"),
    (
        "POST",
        "/api/orders",
        lambda v: {"lines": [{"code": "TIN"}], "payments": [{"method": "cash", "amount": v}]},
        KEY,
        "payments.1.amount",
    ),
    (
        "POST",
        "/api/orders/1/pay",
        lambda v: {"payments": [{"method": "card", "amount": v}]},
        {},
        "payments.1.amount",
    ),
]


@pytest.fixture
def shop(api: Api) -> Api:
    """Stock, a menu, an open order (#1) and a customer (#1): something each refused request could change."""
    stock_shop(api)
    opened = api.as_staff(
        "POST", "/api/orders", json={"lines": [{"code": "TIN"}]}, headers={"Idempotency-Key": "o1"}
    )
    assert opened.status_code == 201 and opened.json()["id"] == 1
    assert (
        api.as_staff("POST", "/api/customers", json={"name": "Mr Chan", "nickname": "663"}).status_code == 201
    )
    return api


def assert_refused(
    api: Api, method: str, url: str, body: Any, headers: dict[str, str], field: str, text: str
) -> None:
    before = everything(api.ctx)
    response = api.as_owner(method, url, json=body, headers=headers)
    assert_error(response, 422, "invalid_input", text, field=field)
    assert everything(api.ctx) == before, f"{method} {url} wrote something"


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize(
    ("method", "url", "body_with", "headers", "field"),
    [pytest.param(*where, id=f"{where[0]} {where[1]} {where[4]}") for where in NUMBER_FIELDS],
)
def test_numbers_must_be_plain_decimals_of_sane_size(
    shop: Api,
    method: str,
    url: str,
    body_with: Callable[[object], Any],
    headers: dict[str, str],
    field: str,
    value: object,
) -> None:
    assert_refused(shop, method, url, body_with(value), headers, field, "number")


@pytest.mark.parametrize(
    ("method", "url", "body", "headers", "field", "text"),
    [
        # discounts
        (
            "POST",
            "/api/orders",
            {"lines": [{"code": "TIN", "discount": "10%%", "discount_reason": "x"}]},
            KEY,
            "lines.1.discount",
            "percentage",
        ),
        (
            "POST",
            "/api/orders",
            {"lines": [{"code": "TIN"}], "discount": "10%%", "discount_reason": "x"},
            KEY,
            "discount",
            "percentage",
        ),
        # dates outside 2000-2100
        (
            "POST",
            "/api/stock/receive",
            {"sku": "PINE", "quantity": "1", "received": "0001-01-01"},
            {},
            "received",
            "between 2000-01-01 and 2100-12-31",
        ),
        (
            "POST",
            "/api/stock/receive",
            {"sku": "PINE", "quantity": "1", "expires": "9999-12-31"},
            {},
            "expires",
            "between 2000-01-01 and 2100-12-31",
        ),
        ("GET", "/api/reports/x?date=0001-01-01", None, {}, "date", "between 2000-01-01 and 2100-12-31"),
        ("POST", "/api/reports/z", {"date": "0001-01-01"}, {}, "date", "between 2000-01-01 and 2100-12-31"),
        ("GET", "/api/orders?date=1999-12-31", None, {}, "date", "between 2000-01-01 and 2100-12-31"),
        (
            "POST",
            "/api/holds",
            {"description": "keys", "for_customer": "663", "hold_until": "2101-01-01"},
            {},
            "hold_until",
            "between 2000-01-01 and 2100-12-31",
        ),
        (
            "POST",
            "/api/stock/receive",
            {"sku": "PINE", "quantity": "1", "expires": "２０２６-01-01"},
            {},
            "expires",
            "must be a date",
        ),
        # hidden characters in names and notes
        ("POST", "/api/products", {"sku": "Q", "name": "a\x00b"}, {}, "name", "NUL"),
        ("POST", "/api/products", {"sku": "Q", "name": "pay\u202egnp.exe"}, {}, "name", "text-direction"),
        ("POST", "/api/products", {"sku": "Q", "name": "a\u200bb"}, {}, "name", "zero-width"),
        ("POST", "/api/customers", {"name": "Mr\x00Wong"}, {}, "name", "NUL"),
        ("POST", "/api/customers", {"name": "Mr \u2066Wong"}, {}, "name", "text-direction"),
        ("POST", "/api/locations", {"name": "back\u200bfridge"}, {}, "name", "zero-width"),
        (
            "POST",
            "/api/menu",
            {"code": "X", "name": "a\u202eb", "price": "1", "product": "PINE"},
            {},
            "name",
            "text-direction",
        ),
        (
            "POST",
            "/api/orders",
            {"lines": [{"code": "TIN"}], "note": "a\u202eb"},
            KEY,
            "note",
            "text-direction",
        ),
        (
            "POST",
            "/api/holds",
            {"description": "a\u200bb", "for_customer": "663"},
            {},
            "description",
            "zero-width",
        ),
        # filters and cursors
        ("GET", "/api/orders?state=bogus", None, {}, "state", "open"),
        ("GET", "/api/orders?cursor=junk", None, {}, "cursor", "cursor"),
        ("GET", "/api/orders?limit=0", None, {}, "limit", "between 1 and 1000"),
        ("GET", "/api/orders?bogus=1", None, {}, "bogus", "is not something this request takes"),
        # unknown fields are mistakes, not ignored
        (
            "POST",
            "/api/stock/receive",
            {"sku": "PINE", "quantity": "1", "bogus": 1},
            {},
            "bogus",
            "is not something this request takes",
        ),
        (
            "POST",
            "/api/orders",
            {"lines": [{"code": "TIN", "price": "0"}]},
            KEY,
            "lines.1.price",
            "is not something this request takes",
        ),
        (
            "POST",
            "/api/customers",
            {"name": "x", "is_owner": True},
            {},
            "is_owner",
            "is not something this request takes",
        ),
        (
            "POST",
            "/api/users",
            {"name": "mei", "password": "mei pass phrase", "admin": True},
            {},
            "admin",
            "is not something this request takes",
        ),
        (
            "PUT",
            "/api/menu/TIN/price",
            {"price": "1", "effective_at": "2020-01-01"},
            {},
            "effective_at",
            "is not something this request takes",
        ),
        # things counted one by one arrive and sell whole
        ("POST", "/api/stock/receive", {"sku": "PINE", "quantity": "0.001"}, {}, "quantity", "whole units"),
        ("POST", "/api/stock/sell", {"sku": "PINE", "quantity": "0.001"}, {}, "quantity", "whole units"),
        ("POST", "/api/stock/receive", {"sku": "HAM", "quantity": "2.5"}, {}, "quantity", "whole units"),
        # a customer's notes are bounded
        ("POST", "/api/customers", {"name": "Mr Wong", "notes": "n" * 2001}, {}, "notes", "at most 2000"),
    ],
)
def test_refused_input_names_its_field_and_writes_nothing(
    shop: Api, method: str, url: str, body: Any, headers: dict[str, str], field: str, text: str
) -> None:
    assert_refused(shop, method, url, body, headers, field, text)


def test_notes_of_2000_characters_are_fine(shop: Api) -> None:
    saved = shop.as_staff("POST", "/api/customers", json={"name": "Mr Wong", "notes": "n" * 2000})
    assert saved.status_code == 201 and len(saved.json()["notes"]) == 2000


JUNK_CURSORS = [
    "junk",
    "HAM",  # a SKU: what the old cursors were
    "W10",  # base64 of []
    "WyJvcmRlcnMiLC0xXQ",  # base64 of ["orders",-1]
    "x" * 5000,
    "%00",  # NUL
]


@pytest.mark.parametrize(
    "url",
    [
        "/api/orders",
        "/api/products",
        "/api/stock",
        "/api/expiring",
        "/api/movements",
        "/api/menu",
        "/api/holds",
        "/api/customers",
        "/api/notify/messages",
        "/api/notify/targets",
        "/api/users",
        "/api/tokens",
        "/api/locations",
    ],
)
def test_every_list_refuses_a_cursor_it_did_not_give_out(api: Api, url: str) -> None:
    for cursor in JUNK_CURSORS:
        response = api.as_owner("GET", f"{url}?cursor={cursor}")
        assert_error(response, 422, "invalid_input", field="cursor")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        pytest.param(b'{"name": "a\\ud800", "password": "whatever it is"}', "name", id="lone-high-surrogate"),
        pytest.param(b'{"name": "a\\udfff", "password": "whatever it is"}', "name", id="lone-low-surrogate"),
        pytest.param(
            b'{"name": "ada", "password": "a\\ud800 pass phrase"}', "password", id="in-the-password"
        ),
    ],
)
def test_a_broken_character_in_a_login_is_a_422_never_a_500(api: Api, raw: bytes, field: str) -> None:
    before = everything(api.ctx)
    response = api.client.post("/api/login", content=raw, headers={"content-type": "application/json"})
    assert_error(response, 422, "invalid_input", field=field)
    assert everything(api.ctx) == before  # not even a login attempt is counted


def test_a_cash_order_is_not_refunded_to_a_card(shop: Api) -> None:
    paid = shop.as_staff(
        "POST",
        "/api/orders",
        json={"lines": [{"code": "TIN"}], "payments": [{"method": "cash", "amount": "20"}]},
        headers={"Idempotency-Key": "cash-1"},
    ).json()
    before = everything(shop.ctx)
    refused = shop.as_owner(
        "POST", f"/api/orders/{paid['id']}/refund", json={"reason": "x", "method": "card"}
    )
    assert_error(refused, 422, "invalid_input", "paid by cash", field="method")
    assert everything(shop.ctx) == before
    assert shop.as_owner("GET", f"/api/orders/{paid['id']}").json()["state"] == "paid"
    # the way it was paid still works
    refunded = shop.as_owner(
        "POST", f"/api/orders/{paid['id']}/refund", json={"reason": "x", "method": "cash"}
    )
    assert refunded.status_code == 200 and refunded.json()["refunds"][0]["method"] == "cash"
