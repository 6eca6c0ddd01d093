"""Lots and the movement ledger: the FEFO read, appending movements, and what people look at."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    Row,
    Select,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.catalog import product_by_code
from midnight.domain.errors import InvalidInput, NotFound
from midnight.domain.lot import (
    SOON_DAYS,
    ExpiredLot,
    ExpiryCorrection,
    ExpiryStatus,
    Lot,
    Movement,
    MovementKind,
    expiry_status,
)
from midnight.domain.money import cost_of
from midnight.domain.product import ExpiryKind, Product, check_sku
from midnight.domain.quantity import SCALE, to_decimal


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
    corrected_expiry: dt.date | None = None  # the date as last corrected (expiry_date: as received)
    batch: str | None = None  # the maker's lot number, as scanned at receiving


@dataclass(frozen=True)
class LotsPage:
    """A page of the stock board: `next_cursor` and `previous_cursor` lead on and back."""

    items: list[LotInfo]
    next_cursor: str | None
    previous_cursor: str | None


@dataclass(frozen=True)
class ExpiryCorrectionInfo:
    id: int
    lot_id: int
    at: dt.datetime
    actor: str
    from_date: dt.date
    to_date: dt.date
    reason: str


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


# --- lots as the rules see them -------------------------------------------------------------------


def _lot_select() -> Select:  # type: ignore[type-arg]
    return select(
        t.lots,
        t.products.c.sku,
        t.products.c.unit,
        t.products.c.expiry_kind,
        t.products.c.opened_shelf_life_days,
    ).join(t.products, t.products.c.id == t.lots.c.product_id)


def _lot(row: Row) -> Lot:  # type: ignore[type-arg]
    return Lot(
        id=row.id,
        product_id=row.product_id,
        sku=row.sku,
        unit=row.unit,
        expiry_kind=ExpiryKind(row.expiry_kind),
        opened_shelf_life_days=row.opened_shelf_life_days,
        location_id=row.location_id,
        supplier=row.supplier,
        unit_cost=row.unit_cost,
        received_at=row.received_at,
        expiry_date=row.expiry_date,
        opened_at=row.opened_at,
        effective_expiry=row.effective_expiry,
        on_hand=row.on_hand,
        corrected_expiry=row.corrected_expiry,
        batch=row.batch,
    )


def lot_by_id(conn: Connection, lot_id: int, *, for_update: bool = False) -> Lot:
    query = _lot_select().where(t.lots.c.id == lot_id)
    if for_update:
        query = query.with_for_update(of=t.lots)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no lot {lot_id}", field="lot")
    return _lot(row)


_FEFO_ORDER = (t.lots.c.effective_expiry, t.lots.c.received_at, t.lots.c.id)
_SELLABLE_FILTER = or_(
    t.lots.c.effective_expiry >= bindparam("today", type_=Date),
    and_(
        t.products.c.expiry_kind == literal_column(f"'{ExpiryKind.BEST_BEFORE.value}'"),
        bindparam("past_ok", type_=Boolean),
    ),
)
SELLABLE_BY_PRODUCT = (
    _lot_select()
    .where(t.lots.c.product_id == bindparam("product_id"), t.HAS_STOCK, _SELLABLE_FILTER)
    .order_by(*_FEFO_ORDER)
)
# One statement instead of two on the hot path: find the product and its lots together.
SELLABLE_BY_SKU = (
    _lot_select()
    .where(t.products.c.sku == bindparam("sku"), t.HAS_STOCK, _SELLABLE_FILTER)
    .order_by(*_FEFO_ORDER)
)


def usual_location(conn: Connection, product_id: int) -> str | None:
    """Where the product's newest lot still in stock sits (ix_lots_sellable: its lots in stock only)."""
    row = conn.execute(
        select(t.locations.c.name)
        .join(t.lots, t.lots.c.location_id == t.locations.c.id)
        .where(t.lots.c.product_id == product_id, t.lots.c.on_hand > 0)
        .order_by(t.lots.c.received_at.desc(), t.lots.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else str(row.name)


def sellable_lots(
    conn: Connection,
    code: str,
    *,
    today: dt.date,
    allow_past_best_before: bool,
    enough: int,
    for_update: bool = False,
    whole_units: bool = False,
    received_by: dt.datetime | None = None,
) -> tuple[Product | None, list[Lot]]:
    """Lots of a product that may be drawn today, in FEFO order, read along ix_lots_sellable.

    Reading stops once the lots read hold `enough`. The SQL filter only saves work: the domain
    still decides what is sellable. The product is returned only if it had to be looked up.
    """
    params: dict[str, object] = {"today": today, "past_ok": allow_past_best_before}
    product = None
    text = str(code).strip()
    if text.isdigit():  # a barcode (or an all-digit SKU): resolve it first
        product = product_by_code(conn, text)
        query, params["product_id"] = SELLABLE_BY_PRODUCT, product.id
    else:
        query, params["sku"] = SELLABLE_BY_SKU, check_sku(text)
    if received_by is not None:  # a sale entered late draws only on lots that had arrived by then
        query = query.where(t.lots.c.received_at <= received_by)
    if for_update and conn.dialect.name != "sqlite":
        query = query.with_for_update(of=t.lots)
    lots, held = [], 0
    result = conn.execute(query, params)
    try:
        for row in result:
            lots.append(_lot(row))
            if whole_units:  # only whole, unopened units count towards a sale of things counted each
                held += 0 if row.opened_at is not None else row.on_hand - row.on_hand % SCALE
            else:
                held += row.on_hand
            if held >= enough:
                break
    finally:
        result.close()
    if not lots and product is None:
        product = product_by_code(conn, text)  # unknown SKU, or simply nothing to sell
    return product, lots


def expired_lots(
    conn: Connection, today: dt.date, *, include_best_before: bool, for_update: bool = False
) -> list[ExpiredLot]:
    """Lots still holding stock past their effective expiry, read along ix_lots_board (only lots
    with stock are in it, and expired ones come first); locked when they are about to be written off.
    The domain decides which of them go (domain.lot.to_write_off)."""
    query = (
        select(
            t.lots.c.id,
            t.lots.c.on_hand,
            t.lots.c.unit_cost,
            t.lots.c.effective_expiry,
            t.products.c.unit,
            t.products.c.expiry_kind,
        )
        .join(t.products, t.products.c.id == t.lots.c.product_id)
        .where(t.HAS_STOCK, t.lots.c.effective_expiry < today)
        .order_by(*_FEFO_ORDER)
    )
    if not include_best_before:
        query = query.where(t.products.c.expiry_kind == ExpiryKind.USE_BY.value)
    if for_update:
        query = query.with_for_update(of=t.lots)
    return [
        ExpiredLot(r.id, r.on_hand, r.unit_cost, r.unit, ExpiryKind(r.expiry_kind), r.effective_expiry)
        for r in conn.execute(query)
    ]


def below_reorder_point(conn: Connection) -> list[tuple[str, str, int, int]]:
    """(sku, name, on hand, reorder point) of products under their reorder point."""
    p, lots = t.products.c, t.lots.c
    held = func.coalesce(
        select(func.sum(lots.on_hand)).where(lots.product_id == p.id, t.HAS_STOCK).scalar_subquery(), 0
    )
    rows = conn.execute(
        select(p.sku, p.name, held.label("on_hand"), p.reorder_point).where(
            p.reorder_point.is_not(None), held < p.reorder_point
        )
    ).all()
    return [(r.sku, r.name, int(r.on_hand), int(r.reorder_point)) for r in rows]


def insert_lot(
    conn: Connection,
    *,
    product_id: int,
    location_id: int,
    supplier: str,
    unit_cost: int,
    received_at: dt.datetime,
    expiry_date: dt.date,
    effective_expiry: dt.date,
    opened_at: dt.datetime | None = None,
    parent_lot_id: int | None = None,
    corrected_expiry: dt.date | None = None,
    batch: str | None = None,
) -> int:
    result = conn.execute(
        insert(t.lots).values(
            store_id=select(t.locations.c.store_id).where(t.locations.c.id == location_id).scalar_subquery(),
            batch=batch,
            product_id=product_id,
            location_id=location_id,
            parent_lot_id=parent_lot_id,
            supplier=supplier,
            unit_cost=unit_cost,
            received_at=received_at,
            expiry_date=expiry_date,
            opened_at=opened_at,
            corrected_expiry=corrected_expiry,
            effective_expiry=effective_expiry,
            on_hand=0,
        )
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


# A movement is in its lot's store (looked up along the lots key).
_INSERT_MOVEMENT = insert(t.movements).values(
    store_id=select(t.lots.c.store_id).where(t.lots.c.id == bindparam("lot_of")).scalar_subquery()
)


def record(conn: Connection, movement: Movement, *, actor: str, recorded_at: dt.datetime) -> int:
    """Append one movement, in the caller's transaction.

    A trigger (migration 0001) adds it to the lot's cached on-hand in the same statement, and
    the CHECK constraint on lots.on_hand refuses anything that would go negative.
    """
    result = conn.execute(
        _INSERT_MOVEMENT,
        {
            "at": movement.at,
            "recorded_at": recorded_at,
            "kind": movement.kind.value,
            "lot_id": movement.lot_id,
            "lot_of": movement.lot_id,
            "product_id": movement.product_id,
            "quantity": movement.quantity,
            "unit_cost": movement.unit_cost,
            "reason": movement.reason,
            "reference": movement.reference,
            "actor": actor,
            "pair_id": movement.pair_id,
            "reverses_id": movement.reverses_id,
            "order_line_id": movement.order_line_id,
            "refund_id": movement.refund_id,
            "business_date": movement.business_date,
        },
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def _movement(row: Row) -> Movement:  # type: ignore[type-arg]
    return Movement(
        MovementKind(row.kind),
        row.lot_id,
        row.product_id,
        row.quantity,
        row.unit_cost,
        row.at,
        reason=row.reason,
        reference=row.reference,
        pair_id=row.pair_id,
        reverses_id=row.reverses_id,
        order_line_id=row.order_line_id,
        refund_id=row.refund_id,
    )


def movement_with_legs(conn: Connection, movement_id: int) -> tuple[Movement, list[tuple[int, Movement]]]:
    """A movement and every leg of it (both sides of a move or an open), by id."""
    m = t.movements.c
    original = conn.execute(select(t.movements).where(m.id == movement_id)).first()
    if original is None:
        raise NotFound(f"no movement {movement_id}", field="movement")
    legs = conn.execute(
        select(t.movements)
        .where((m.id == movement_id) | (m.pair_id == movement_id) | (m.id == (original.pair_id or -1)))
        .order_by(m.id)
    ).all()
    return _movement(original), [(leg.id, _movement(leg)) for leg in legs]


def undone_by(conn: Connection, movement_ids: list[int]) -> int | None:
    m = t.movements.c
    found = conn.execute(select(m.id).where(m.reverses_id.in_(movement_ids))).scalar()
    return None if found is None else int(found)


# --- what people look at ---------------------------------------------------------------------------

# Columns in the order lot_info unpacks them: the board builds hundreds of these per request.
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
    t.lots.c.corrected_expiry,
    t.lots.c.batch,
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
        corrected,
        batch,
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
        corrected,
        batch,
    )


def lot_info(conn: Connection, lot_id: int, today: dt.date, currency: str) -> LotInfo:
    row = conn.execute(_lot_info_select().where(t.lots.c.id == lot_id)).first()
    if row is None:
        raise NotFound(f"no lot {lot_id}", field="lot")
    return _lot_info(row, today, currency)


def stock(
    conn: Connection,
    *,
    product_id: int | None,
    location_id: int | None,
    today: dt.date,
    currency: str,
    cursor: str | None,
    limit: int,
) -> paging.Page[ProductStock]:
    """On hand per product (a page of products by SKU) with their lots, earliest expiry first."""
    products = select(t.products).order_by(t.products.c.sku).limit(limit + 1)
    if product_id is not None:
        products = products.where(t.products.c.id == product_id)
    if cursor is not None:
        (after,) = paging.decode("stock", cursor, [str])
        products = products.where(t.products.c.sku > after)
    rows = conn.execute(products).all()
    shown = [row.id for row in rows[:limit]]
    query = _lot_info_select().where(t.HAS_STOCK, t.lots.c.product_id.in_(shown))
    if location_id is not None:
        query = query.where(t.lots.c.location_id == location_id)
    lots_by_sku: dict[str, list[LotInfo]] = {}
    for row in conn.execute(query.order_by(*_FEFO_ORDER)):
        info = _lot_info(row, today, currency)
        lots_by_sku.setdefault(info.sku, []).append(info)
    result = []
    for prow in rows:
        lots = lots_by_sku.get(prow.sku, [])
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
    return paging.page(result, limit, "stock", lambda p: [p.sku])


def board_query(horizon: dt.date, limit: int) -> Select:  # type: ignore[type-arg]
    """Lots holding stock that expire by `horizon`, read in order along ix_lots_board."""
    return (
        _lot_info_select()
        .where(t.HAS_STOCK, t.lots.c.effective_expiry <= horizon)
        .order_by(*_FEFO_ORDER)
        .limit(limit)
    )


def board(
    conn: Connection,
    *,
    horizon: dt.date,
    location_id: int | None,
    status: ExpiryStatus | None,
    today: dt.date,
    currency: str,
    cursor: str | None,
    limit: int,
) -> paging.Page[LotInfo]:
    """The expiry board, earliest first; its filters are part of the query, before the limit."""
    query = board_query(horizon, limit + 1)
    e = t.lots.c.effective_expiry
    if location_id is not None:
        query = query.where(t.lots.c.location_id == location_id)
    if status is ExpiryStatus.EXPIRED:
        query = query.where(e < today)
    elif status is ExpiryStatus.TODAY:
        query = query.where(e == today)
    elif status is ExpiryStatus.SOON:
        query = query.where(e > today, e <= today + dt.timedelta(days=SOON_DAYS))
    elif status is ExpiryStatus.LATER:
        query = query.where(e > today + dt.timedelta(days=SOON_DAYS))
    if cursor is not None:
        key = paging.decode("board", cursor, [dt.date, dt.datetime, int])
        query = query.where(tuple_(*_FEFO_ORDER) > tuple_(*key))
    found = [_lot_info(row, today, currency) for row in conn.execute(query)]
    return paging.page(found, limit, "board", lambda lot: [lot.effective_expiry, lot.received_at, lot.id])


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


_MOVEMENT_INFO = select(t.movements, t.products.c.sku).join(
    t.products, t.products.c.id == t.movements.c.product_id
)


def movements_by_id(conn: Connection, ids: list[int]) -> list[MovementInfo]:
    query = _MOVEMENT_INFO.where(t.movements.c.id.in_(ids)).order_by(t.movements.c.id)
    return [_movement_info(row) for row in conn.execute(query)]


def ledger(
    conn: Connection, *, product_id: int | None, cursor: str | None, limit: int
) -> paging.Page[MovementInfo]:
    """Movements, newest first, along the primary key (or ix_movements_product_id_id)."""
    query = _MOVEMENT_INFO.order_by(t.movements.c.id.desc()).limit(limit + 1)
    if product_id is not None:
        query = query.where(t.movements.c.product_id == product_id)
    if cursor is not None:
        (before,) = paging.decode("movements", cursor, [int])
        query = query.where(t.movements.c.id < before)
    found = [_movement_info(row) for row in conn.execute(query)]
    return paging.page(found, limit, "movements", lambda m: [m.id])


def lots_page(
    conn: Connection,
    *,
    product_id: int | None,
    location_id: int | None,
    status: ExpiryStatus | None,
    today: dt.date,
    currency: str,
    cursor: str | None,
    before: str | None,
    limit: int,
) -> LotsPage:
    """Every lot holding stock in FEFO order, `limit` at a time after `cursor` or before `before`.

    Read along ix_lots_board (ix_lots_sellable for one product); the filters are in the query,
    before the limit. Going back reads the same index the other way and turns the rows round.
    """
    if cursor is not None and before is not None:
        raise InvalidInput("give a cursor or a before, not both", field="cursor")
    e = t.lots.c.effective_expiry
    query = _lot_info_select().where(t.HAS_STOCK)
    if product_id is not None:
        query = query.where(t.lots.c.product_id == product_id)
    if location_id is not None:
        query = query.where(t.lots.c.location_id == location_id)
    if status is ExpiryStatus.EXPIRED:
        query = query.where(e < today)
    elif status is ExpiryStatus.TODAY:
        query = query.where(e == today)
    elif status is ExpiryStatus.SOON:
        query = query.where(e > today, e <= today + dt.timedelta(days=SOON_DAYS))
    elif status is ExpiryStatus.LATER:
        query = query.where(e > today + dt.timedelta(days=SOON_DAYS))
    backwards = before is not None
    if backwards:
        key = paging.decode("lots", str(before), [dt.date, dt.datetime, int])
        query = query.where(tuple_(*_FEFO_ORDER) < tuple_(*key)).order_by(*(c.desc() for c in _FEFO_ORDER))
    else:
        if cursor is not None:
            key = paging.decode("lots", cursor, [dt.date, dt.datetime, int])
            query = query.where(tuple_(*_FEFO_ORDER) > tuple_(*key))
        query = query.order_by(*_FEFO_ORDER)
    found = [_lot_info(row, today, currency) for row in conn.execute(query.limit(limit + 1))]
    more = len(found) > limit
    shown = found[:limit]
    if backwards:
        shown.reverse()

    def key_of(lot: LotInfo) -> str:
        return paging.encode("lots", [lot.effective_expiry, lot.received_at, lot.id])

    if not shown:
        return LotsPage([], None, None)
    # Forwards, there is a page before if we came from one; backwards, if more rows were there.
    has_previous = more if backwards else cursor is not None
    has_next = True if backwards else more
    return LotsPage(
        shown,
        key_of(shown[-1]) if has_next else None,
        key_of(shown[0]) if has_previous else None,
    )


def record_expiry_correction(
    conn: Connection, correction: ExpiryCorrection, *, actor: str, at: dt.datetime
) -> int:
    """Append the correction and bring the lot's current dates in line, in the caller's transaction:
    the event is the history, the lot's corrected and effective dates are what everything reads."""
    event_id = conn.execute(
        insert(t.expiry_corrections).values(
            store_id=select(t.lots.c.store_id).where(t.lots.c.id == correction.lot_id).scalar_subquery(),
            lot_id=correction.lot_id,
            at=at,
            actor=actor,
            from_date=correction.from_date,
            to_date=correction.to_date,
            reason=correction.reason,
        )
    ).inserted_primary_key.id  # type: ignore[union-attr]
    conn.execute(
        update(t.lots)
        .where(t.lots.c.id == correction.lot_id)
        .values(corrected_expiry=correction.to_date, effective_expiry=correction.effective)
    )
    return int(event_id)


def expiry_corrections(
    conn: Connection, lot_id: int, *, cursor: str | None, limit: int
) -> paging.Page[ExpiryCorrectionInfo]:
    """A lot's expiry corrections, newest first, along ix_expiry_corrections_lot_id_id."""
    c = t.expiry_corrections.c
    query = select(t.expiry_corrections).where(c.lot_id == lot_id).order_by(c.id.desc()).limit(limit + 1)
    if cursor is not None:
        (before,) = paging.decode("corrections", cursor, [int])
        query = query.where(c.id < before)
    found = [
        ExpiryCorrectionInfo(r.id, r.lot_id, r.at, r.actor, r.from_date, r.to_date, r.reason)
        for r in conn.execute(query)
    ]
    return paging.page(found, limit, "corrections", lambda e: [e.id])
