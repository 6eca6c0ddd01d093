"""An API client per test, on a fresh SQLite shop with an owner and a staff member; shared checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from midnight.api import create_app
from midnight.commands.people import AddUser, CreateToken
from midnight.db import tables as t
from midnight.services import people
from midnight.services.context import Context

OWNER_PASSWORD = "owner pass phrase"
STAFF_PASSWORD = "staff pass phrase"
ANY = object()  # assert_error: any field


@dataclass
class Api:
    client: TestClient
    owner: dict[str, str]
    staff: dict[str, str]
    ctx: Context

    def as_owner(self, method: str, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.request(method, url, headers={**self.owner, **kwargs.pop("headers", {})}, **kwargs)  # type: ignore[arg-type]

    def as_staff(self, method: str, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.request(method, url, headers={**self.staff, **kwargs.pop("headers", {})}, **kwargs)  # type: ignore[arg-type]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(sqlite_ctx: Context) -> Iterator[Api]:
    people.add_user(sqlite_ctx, AddUser(name="ada", role="owner", password=OWNER_PASSWORD))
    owner = sqlite_ctx.acting_as(people.local_actor(sqlite_ctx, "ada"))
    people.add_user(owner, AddUser(name="kwan", role="staff", password=STAFF_PASSWORD))
    owner_token = people.create_token(owner, "ada", CreateToken(label="tests")).token
    staff_token = people.create_token(owner, "kwan", CreateToken(label="tests")).token
    with TestClient(create_app(ctx=sqlite_ctx)) as client:
        yield Api(client, bearer(owner_token), bearer(staff_token), owner)


def assert_error(response, status: int, code: str, text: str = "", field: object = ANY) -> None:  # type: ignore[no-untyped-def]
    """The one error shape, with this status, code, a message containing `text` and (if given) `field`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code, body
    assert text in body["error"]["message"], body
    if field is not ANY:
        assert body["error"]["field"] == field, body
    assert "Traceback" not in response.text


def everything(ctx: Context) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: equal before and after a refused request means nothing was written."""
    with ctx.db.read() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for table in t.metadata.sorted_tables
        }


def stock_shop(api: Api) -> None:
    """Two products in stock (PINE on the shelf, HAM in the fridge) and two menu items (TIN, SANDWICH)."""
    assert (
        api.as_owner(
            "POST",
            "/api/products",
            json={
                "sku": "PINE",
                "name": "Tinned pineapple 罐頭菠蘿",
                "expiry_kind": "best_before",
                "shelf_life_days": 365,
                "barcode": "4006381333931",
            },
        ).status_code
        == 201
    )
    assert (
        api.as_owner(
            "POST", "/api/products", json={"sku": "HAM", "name": "Ham", "shelf_life_days": 5}
        ).status_code
        == 201
    )
    assert (
        api.as_staff(
            "POST", "/api/stock/receive", json={"sku": "PINE", "quantity": "10", "cost": "9.50"}
        ).status_code
        == 201
    )
    assert (
        api.as_staff(
            "POST",
            "/api/stock/receive",
            json={"sku": "HAM", "quantity": 20, "cost": "1.50", "location": "fridge"},
        ).status_code
        == 201
    )
    assert (
        api.as_owner(
            "POST", "/api/menu", json={"code": "TIN", "name": "Tin", "price": "18", "product": "PINE"}
        ).status_code
        == 201
    )
    assert (
        api.as_owner(
            "POST",
            "/api/menu",
            json={
                "code": "SANDWICH",
                "name": "火腿三文治",
                "price": "25",
                "recipe": [{"sku": "HAM", "quantity": "2"}],
            },
        ).status_code
        == 201
    )
