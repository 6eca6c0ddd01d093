"""What order suggestions and the "will expire unsold" list read: lots still good, stock already on
order, each product's service level and the price it sells at, and the lots near their date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, literal_column, select

from midnight.db import tables as t
from midnight.domain.lot import LotView, MovementKind
from midnight.domain.product import ExpiryKind
from midnight.domain.purchasing import OrderState


@dataclass(frozen=True)
class Selling:
    """How a product is sold over the counter as it is (a tin, a carton): the menu item and its price
    for one unit of the product, and its reduce-to-clear rule if it has one."""

    product_id: int
    code: str
    name: str
    unit_price: int  # minor units per unit of the product
    markdown_days: int | None
    markdown_bp: int | None


@dataclass(frozen=True)
class NearLot:
    lot_id: int
    product_id: int
    sku: str
    name: str
    unit: str
    location: str
    effective_expiry: dt.date
    on_hand: int
    unit_cost: int


def service_levels(conn: Connection, product_ids: Sequence[int]) -> dict[int, int | None]:
    p = t.products.c
    if not product_ids:
        return {}
    rows = conn.execute(select(p.id, p.service_level).where(p.id.in_(product_ids)))
    return {r.id: r.service_level for r in rows}


def good_lots(conn: Connection, product_ids: Sequence[int], today: dt.date) -> dict[int, list[LotView]]:
    """Each product's lots with stock that are still good today (along ix_lots_sellable)."""
    lots, p = t.lots.c, t.products.c
    found: dict[int, list[LotView]] = {pid: [] for pid in product_ids}
    if not product_ids:
        return found
    query = (
        select(
            lots.id,
            lots.product_id,
            lots.on_hand,
            lots.effective_expiry,
            lots.received_at,
            lots.opened_at,
            p.expiry_kind,
        )
        .join(t.products, p.id == lots.product_id)
        .where(lots.product_id.in_(product_ids), t.HAS_STOCK, lots.effective_expiry >= today)
    )
    for r in conn.execute(query):
        found[r.product_id].append(
            LotView(
                r.id,
                r.on_hand,
                r.effective_expiry,
                r.received_at,
                ExpiryKind(r.expiry_kind),
                r.opened_at is not None,
            )
        )
    return found


def on_order(conn: Connection, product_ids: Sequence[int]) -> dict[int, list[tuple[dt.date, int]]]:
    """Per product, what open orders (sent, partly received) still have to bring: (delivery day, milli)."""
    po, ln = t.purchase_orders.c, t.purchase_order_lines.c
    found: dict[int, list[tuple[dt.date, int]]] = {}
    if not product_ids:
        return found
    query = (
        select(ln.product_id, po.delivery_date, ln.quantity - ln.received)
        .join(t.purchase_orders, po.id == ln.purchase_order_id)
        .where(
            ln.product_id.in_(product_ids),
            po.state.in_([OrderState.SENT.value, OrderState.PARTLY_RECEIVED.value]),
            ln.quantity > ln.received,
        )
    )
    for product_id, day, milli in conn.execute(query):
        found.setdefault(product_id, []).append((day, int(milli)))
    return found


def selling(conn: Connection, product_ids: Sequence[int], at: dt.datetime) -> dict[int, Selling]:
    """Each product sold as it is by an active menu item (a recipe of that product alone), at its
    price now; the highest price a unit fetches if several items sell it."""
    rl, mi, mp = t.recipe_lines.c, t.menu_items.c, t.menu_prices.c
    if not product_ids:
        return {}
    alone = select(rl.menu_item_id).group_by(rl.menu_item_id).having(func.count() == literal_column("1"))
    items = list(
        conn.execute(
            select(rl.product_id, rl.quantity, mi.id, mi.code, mi.name, mi.markdown_days, mi.markdown_bp)
            .join(t.menu_items, mi.id == rl.menu_item_id)
            .where(rl.product_id.in_(product_ids), rl.menu_item_id.in_(alone), mi.active.is_(True))
        )
    )
    if not items:
        return {}
    latest = (
        select(mp.menu_item_id, func.max(mp.effective_at).label("at"))
        .where(mp.menu_item_id.in_([r.id for r in items]), mp.effective_at <= at)
        .group_by(mp.menu_item_id)
        .subquery()
    )
    prices = dict(
        conn.execute(
            select(mp.menu_item_id, mp.price).join(
                latest, (latest.c.menu_item_id == mp.menu_item_id) & (latest.c.at == mp.effective_at)
            )
        ).all()
    )
    found: dict[int, Selling] = {}
    for r in items:
        if r.id not in prices:
            continue
        per_unit = prices[r.id] * 1000 // r.quantity
        if r.product_id not in found or per_unit > found[r.product_id].unit_price:
            found[r.product_id] = Selling(
                r.product_id, r.code, r.name, per_unit, r.markdown_days, r.markdown_bp
            )
    return found


def near_lots(conn: Connection, today: dt.date, until: dt.date, limit: int) -> list[NearLot]:
    """Lots with stock whose last good day is from today to `until`, soonest first (ix_lots_board)."""
    lots, p, loc = t.lots.c, t.products.c, t.locations.c
    query = (
        select(
            lots.id,
            lots.product_id,
            p.sku,
            p.name,
            p.unit,
            loc.name,
            lots.effective_expiry,
            lots.on_hand,
            lots.unit_cost,
        )
        .join(t.products, p.id == lots.product_id)
        .join(t.locations, loc.id == lots.location_id)
        .where(t.HAS_STOCK, lots.effective_expiry >= today, lots.effective_expiry <= until)
        .order_by(lots.effective_expiry, lots.received_at, lots.id)
        .limit(limit)
    )
    return [NearLot(*r) for r in conn.execute(query)]


def received(conn: Connection, start: dt.datetime, end: dt.datetime) -> dict[int, tuple[int, int]]:
    """Per product: milli-units received in [start, end) and their cost, along ix_movements_at."""
    m = t.movements.c
    rows = conn.execute(
        select(m.product_id, func.sum(m.quantity), func.sum((m.quantity * m.unit_cost + 500) // 1000))
        # the kind tested as an expression, so SQLite reads the period by time (ix_movements_at)
        # rather than every receipt in history by ix_movements_kind_business_date
        .where(m.at >= start, m.at < end, func.lower(m.kind) == MovementKind.RECEIVE.value)
        .group_by(m.product_id)
    )
    return {pid: (int(q), int(cost)) for pid, q, cost in rows}


def wasted(conn: Connection, first: dt.date, last: dt.date) -> list[tuple[int, str, int, int]]:
    """(product, reason, milli-units, cost) written off on the business days first..last."""
    m = t.movements.c
    rows = conn.execute(
        select(
            m.product_id, m.reason, func.sum(-m.quantity), func.sum((-m.quantity * m.unit_cost + 500) // 1000)
        )
        .where(m.kind == MovementKind.WASTE.value, m.business_date >= first, m.business_date <= last)
        .group_by(m.product_id, m.reason)
    )
    return [(pid, reason, int(q), int(cost)) for pid, reason, q, cost in rows]


@dataclass(frozen=True)
class OrderedLine:
    product_id: int
    suggested: int | None
    quantity: int
    received: int
    state: str


def ordered_lines(conn: Connection, start: dt.datetime, end: dt.datetime, limit: int) -> list[OrderedLine]:
    """Lines of the purchase orders made in [start, end) and sent (drafts never ordered anything;
    cancelled ones are left out too), by ix_purchase_orders_created_at."""
    po, ln = t.purchase_orders.c, t.purchase_order_lines.c
    rows = conn.execute(
        select(ln.product_id, ln.suggested, ln.quantity, ln.received, po.state)
        .join(t.purchase_orders, po.id == ln.purchase_order_id)
        .where(
            po.created_at >= start,
            po.created_at < end,
            po.state.notin_([OrderState.CANCELLED.value, OrderState.DRAFT.value]),
        )
        .order_by(po.id, ln.id)
        .limit(limit)
    )
    return [OrderedLine(*r) for r in rows]
