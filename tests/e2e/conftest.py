"""An API client per test, on a fresh SQLite shop with an owner and a staff member; shared checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from midnight.api import create_app
from midnight.commands.people import AddUser, CreateToken
from midnight.db import tables as t
from midnight.domain.clock import FixedClock
from midnight.services import people
from midnight.services.context import Context
from tests.conftest import NOW, shop_from

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


@dataclass(frozen=True)
class Staffed:
    """A migrated shop with its owner and staff member, made once: argon2 is slow on purpose."""

    path: Path
    owner_token: str
    staff_token: str


@pytest.fixture(scope="session")
def staffed(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Staffed:
    path = tmp_path_factory.mktemp("e2e") / "staffed.db"
    ctx = shop_from(template_db, path, FixedClock(NOW))
    people.add_user(ctx, AddUser(name="ada", role="owner", password=OWNER_PASSWORD))
    owner = ctx.acting_as(people.local_actor(ctx, "ada"))
    people.add_user(owner, AddUser(name="kwan", role="staff", password=STAFF_PASSWORD))
    owner_token = people.create_token(owner, "ada", CreateToken(label="tests")).token
    staff_token = people.create_token(owner, "kwan", CreateToken(label="tests")).token
    ctx.db.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Staffed(path, owner_token, staff_token)


@pytest.fixture
def api(staffed: Staffed, tmp_path: Path, clock: FixedClock) -> Iterator[Api]:
    ctx = shop_from(staffed.path, tmp_path / "shop.db", clock)
    owner = ctx.acting_as(people.local_actor(ctx, "ada"))
    try:
        with TestClient(create_app(ctx=ctx)) as client:
            yield Api(client, bearer(staffed.owner_token), bearer(staffed.staff_token), owner)
    finally:
        ctx.db.dispose()


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
