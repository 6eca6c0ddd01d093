"""Tenders besides cash and card (Octopus, FPS, AlipayHK, WeChat Pay …), named by the owner.

A named tender pays exactly, like a card: no change is given. The X and Z reports show each apart,
and a refund goes back by the tender the order was paid with.
"""

from __future__ import annotations

from dataclasses import dataclass

from midnight.commands.till import SetTenderActive, TenderIn
from midnight.db import orders as orders_db
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.people import Permission
from midnight.domain.pricing import Method, Tender
from midnight.domain.text import fold
from midnight.services.context import Context

RESERVED = {"cash", "card", "other"}
NOT_IN_NAMES = set("/\\?#%")  # a name is part of the address that retires it


def tender_key(name: str) -> str:
    """One tender however it is typed: case, width and runs of spaces don't make another."""
    return fold(" ".join(name.split()))


@dataclass(frozen=True)
class TenderInfo:
    id: int
    name: str
    active: bool


def _info(row: object) -> TenderInfo:
    return TenderInfo(row.id, row.name, row.active)  # type: ignore[attr-defined]


def list_tenders(ctx: Context, *, include_inactive: bool = False) -> list[TenderInfo]:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return [_info(r) for r in orders_db.tenders(conn, ctx.store.id, active_only=not include_inactive)]


def add_tender(ctx: Context, cmd: TenderIn) -> TenderInfo:
    ctx.require(Permission.PRICES)
    name = " ".join(cmd.name.split())
    key = tender_key(name)
    if key in RESERVED:
        raise InvalidInput(f"{cmd.name!r} is built in; name the other way of paying", field="name")
    if NOT_IN_NAMES & set(name):
        raise InvalidInput("a tender's name can't contain / \\ ? # or %", field="name")
    with ctx.db.write() as conn:
        existing = orders_db.tender_by_key(conn, ctx.store.id, key)
        if existing is not None:
            raise Conflict(f"there is already a tender called {existing.name}", field="name")
        orders_db.insert_tender(
            conn,
            {
                "store_id": ctx.store.id,
                "name": name,
                "name_key": key,
                "active": True,
                "created_at": ctx.now(),
                "actor": ctx.actor,
            },
        )
        return _info(orders_db.tender_by_key(conn, ctx.store.id, key))


def set_tender_active(ctx: Context, name: str, cmd: SetTenderActive) -> TenderInfo:
    ctx.require(Permission.PRICES)
    with ctx.db.write() as conn:
        row = orders_db.tender_by_key(conn, ctx.store.id, tender_key(name))
        if row is None:
            raise NotFound(f"no tender called {name}", field="name")
        orders_db.set_tender_active(conn, row.id, cmd.active)
        return _info(orders_db.tender_by_key(conn, ctx.store.id, tender_key(name)))


def named(ctx: Context, tenders: list[Tender], *, retired_too: bool = False) -> list[Tender]:
    """The payments with each named tender as the store spells it; an unknown one refused, and a
    retired one unless `retired_too` (an order rung offline before it was retired)."""
    if not any(t.method is Method.OTHER for t in tenders):
        return tenders
    with ctx.db.read() as conn:
        known = {tender_key(r.name): r for r in orders_db.tenders(conn, ctx.store.id, active_only=False)}
    out = []
    for tender in tenders:
        if tender.method is Method.OTHER:
            row = known.get(tender_key(tender.name or ""))
            if row is None:
                on_offer = ", ".join(r.name for r in known.values() if r.active) or "none yet"
                raise InvalidInput(
                    f"the shop takes no tender called {tender.name} (it takes {on_offer})", field="tender"
                )
            if not row.active and not retired_too:
                raise InvalidInput(f"the shop no longer takes {row.name}", field="tender")
            tender = Tender(tender.method, tender.amount, row.name)
        out.append(tender)
    return out
