"""An API client per test, on a fresh SQLite shop with an owner and a staff member."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from midnight.api import create_app
from midnight.services import people
from midnight.services.context import Context

OWNER_PASSWORD = "owner pass phrase"
STAFF_PASSWORD = "staff pass phrase"


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
    people.add_user(sqlite_ctx, "ada", "owner", OWNER_PASSWORD)
    owner = sqlite_ctx.acting_as(people.local_actor(sqlite_ctx, "ada"))
    people.add_user(owner, "kwan", "staff", STAFF_PASSWORD)
    owner_token = people.create_token(owner, "ada", "tests").token
    staff_token = people.create_token(owner, "kwan", "tests").token
    with TestClient(create_app(ctx=sqlite_ctx)) as client:
        yield Api(client, bearer(owner_token), bearer(staff_token), owner)
