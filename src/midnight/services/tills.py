"""Tills: the named places orders are rung, each with its receipt printer and cash drawer."""

from __future__ import annotations

from midnight.db import tills as tills_db
from midnight.db.tills import TillInfo
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.people import Permission
from midnight.domain.text import fold
from midnight.services.context import Context

__all__ = ["TillInfo", "add_till", "get_till", "list_tills"]


def till_key(name: str) -> str:
    """One till however its name is typed: "till 1" is "Till 1"."""
    return fold(" ".join(name.split()))


def add_till(ctx: Context, name: str) -> TillInfo:
    ctx.require(Permission.PRICES)
    shown = " ".join(name.split())
    if not shown:
        raise InvalidInput("a till needs a name", field="name")
    with ctx.db.write() as conn:
        if tills_db.till_by_key(conn, ctx.store.id, till_key(shown)) is not None:
            raise Conflict(f"there is already a till called {shown}", field="name")
        tills_db.insert_till(conn, ctx.store.id, shown, till_key(shown), ctx.now())
        found = tills_db.till_by_key(conn, ctx.store.id, till_key(shown))
        assert found is not None
        return found


def list_tills(ctx: Context) -> list[TillInfo]:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return tills_db.tills(conn, ctx.store.id)


def get_till(ctx: Context, name: str) -> TillInfo:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        found = tills_db.till_by_key(conn, ctx.store.id, till_key(name))
    if found is None:
        raise NotFound(f"no till {name}", field="till")
    return found
