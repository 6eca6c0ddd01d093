"""What people look at: stock on hand, the expiry board, the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection, Row, Select, select

from midnight.db import repo
from midnight.db import tables as t
from midnight.domain.errors import InvalidInput
from midnight.domain.lot import ExpiryStatus, expiry_status
from midnight.domain.money import cost_of
from midnight.domain.people import Permission
from midnight.domain.quantity import to_decimal
from midnight.services.context import Context


@dataclass(frozen=True)
class LotInfo:
    id: int
    sku: str
    product: str
    unit: str
    location: str
    quantity: Decimal
    unit_cost: int
    value: int
    currency: str
    supplier: str
    received_at: dt.datetime
    expiry_date: dt.date
    opened_at: dt.datetime | None
    effective_expiry: dt.date
    expiry_kind: str
    status: ExpiryStatus


@dataclass(frozen=True)
class ProductStock:
    sku: str
    name: str
    unit: str
    expiry_kind: str
    on_hand: Decimal
    value: int
    currency: str
    earliest_expiry: dt.date | None
    lots: list[LotInfo] = field(default_factory=list)


@dataclass(frozen=True)
class MovementInfo:
    id: int
    at: dt.datetime
    kind: str
    lot_id: int
    sku: str
    quantity: Decimal
    cost: int
    reason: str
    reference: str
    actor: str
    pair_id: int | None
    reverses_id: int | None


# Columns in the order _lot_info unpacks them: the board builds hundreds of these per request.
_LOT_INFO_COLUMNS = (
    t.lots.c.id,
    t.products.c.sku,
    t.products.c.name,
    t.products.c.unit,
    t.locations.c.name,
    t.lots.c.on_hand,
    t.lots.c.unit_cost,
    t.lots.c.supplier,
    t.lots.c.received_at,
    t.lots.c.expiry_date,
    t.lots.c.opened_at,
    t.lots.c.effective_expiry,
    t.products.c.expiry_kind,
)


def _lot_info_select() -> Select:  # type: ignore[type-arg]
    return (
        select(*_LOT_INFO_COLUMNS)
        .join(t.products, t.products.c.id == t.lots.c.product_id)
        .join(t.locations, t.locations.c.id == t.lots.c.location_id)
    )


def _lot_info(row: Row, today: dt.date, currency: str) -> LotInfo:  # type: ignore[type-arg]
    (
        lot_id,
        sku,
        name,
        unit,
        location,
        on_hand,
        unit_cost,
        supplier,
        received_at,
        expiry_date,
        opened_at,
        effective,
        kind,
    ) = row
    return LotInfo(
        lot_id,
        sku,
        name,
        unit,
        location,
        to_decimal(on_hand),
        unit_cost,
        cost_of(unit_cost, on_hand),
        currency,
        supplier,
        received_at,
        expiry_date,
        opened_at,
        effective,
        kind,
        expiry_status(effective, today),
    )


def lot_info(ctx: Context, conn: Connection, lot_id: int) -> LotInfo:
    row = conn.execute(_lot_info_select().where(t.lots.c.id == lot_id)).one()
    return _lot_info(row, ctx.today(), ctx.store.currency)


def get_lot(ctx: Context, lot_id: int | str) -> LotInfo:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        lot = repo.lot_by_id(conn, lot_id)
        return lot_info(ctx, conn, lot.id)


def stock(ctx: Context, code: str | None = None) -> list[ProductStock]:
    """On hand per product and per lot, earliest expiry first within each product."""
    ctx.require(Permission.READ_STOCK)
    today, currency = ctx.today(), ctx.store.currency
    with ctx.db.read() as conn:
        products = select(t.products).order_by(t.products.c.sku)
        if code is not None:
            product = repo.product_by_code(conn, code)
            products = products.where(t.products.c.id == product.id)
        query = _lot_info_select().where(t.HAS_STOCK)
        if code is not None:
            query = query.where(t.lots.c.product_id == product.id)
        lots_by_product: dict[str, list[LotInfo]] = {}
        for row in conn.execute(query.order_by(t.lots.c.effective_expiry, t.lots.c.received_at, t.lots.c.id)):
            info = _lot_info(row, today, currency)
            lots_by_product.setdefault(info.sku, []).append(info)
        result = []
        for prow in conn.execute(products):
            lots = lots_by_product.get(prow.sku, [])
            result.append(
                ProductStock(
                    sku=prow.sku,
                    name=prow.name,
                    unit=prow.unit,
                    expiry_kind=prow.expiry_kind,
                    on_hand=sum((lot.quantity for lot in lots), Decimal(0)),
                    value=sum(lot.value for lot in lots),
                    currency=currency,
                    earliest_expiry=lots[0].effective_expiry if lots else None,
                    lots=lots,
                )
            )
    return result


def expiring(ctx: Context, days: int = 3, *, limit: int = 1000) -> list[LotInfo]:
    """The expiry board: lots past their date, due today and within `days`, earliest first."""
    ctx.require(Permission.READ_STOCK)
    if days < 0 or days > 365:
        raise InvalidInput(f"days must be between 0 and 365, got {days}", field="days")
    today = ctx.today()
    query = board_query(today + dt.timedelta(days=days), limit)
    with ctx.db.read() as conn:
        return [_lot_info(row, today, ctx.store.currency) for row in conn.execute(query)]


def board_query(horizon: dt.date, limit: int) -> Select:  # type: ignore[type-arg]
    """Lots holding stock that expire by `horizon`, read in order along ix_lots_board."""
    return (
        _lot_info_select()
        .where(t.HAS_STOCK, t.lots.c.effective_expiry <= horizon)
        .order_by(t.lots.c.effective_expiry, t.lots.c.received_at, t.lots.c.id)
        .limit(limit)
    )


def _movement_info(row: Row) -> MovementInfo:  # type: ignore[type-arg]
    return MovementInfo(
        id=row.id,
        at=row.at,
        kind=row.kind,
        lot_id=row.lot_id,
        sku=row.sku,
        quantity=to_decimal(row.quantity),
        cost=cost_of(row.unit_cost, row.quantity),
        reason=row.reason,
        reference=row.reference,
        actor=row.actor,
        pair_id=row.pair_id,
        reverses_id=row.reverses_id,
    )


def movements_by_id(conn: Connection, ids: list[int]) -> list[MovementInfo]:
    query = (
        select(t.movements, t.products.c.sku)
        .join(t.products, t.products.c.id == t.movements.c.product_id)
        .where(t.movements.c.id.in_(ids))
        .order_by(t.movements.c.id)
    )
    return [_movement_info(row) for row in conn.execute(query)]


def ledger(
    ctx: Context, code: str | None = None, *, limit: int = 100, before: int | None = None
) -> list[MovementInfo]:
    """Movements, newest first; `before` pages back through older ones."""
    ctx.require(Permission.READ_STOCK)
    if limit < 1 or limit > 10_000:
        raise InvalidInput(f"limit must be between 1 and 10000, got {limit}", field="limit")
    query = select(t.movements, t.products.c.sku).join(
        t.products, t.products.c.id == t.movements.c.product_id
    )
    with ctx.db.read() as conn:
        if code is not None:
            query = query.where(t.movements.c.product_id == repo.product_by_code(conn, code).id)
        if before is not None:
            query = query.where(t.movements.c.id < before)
        rows = conn.execute(query.order_by(t.movements.c.id.desc()).limit(limit)).all()
    return [_movement_info(row) for row in rows]
