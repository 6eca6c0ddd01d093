"""Stock movements: receive, sell, use, open, move, write off, count, undo.

Every function is one unit of work: it writes all its movements or none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, select

from midnight.db import repo
from midnight.db import tables as t
from midnight.domain.clock import local_date, parse_date, start_of_day
from midnight.domain.errors import Conflict, InvalidInput, NotFound, parse_id
from midnight.domain.fefo import allocate
from midnight.domain.lot import default_expiry, effective_expiry, is_expired
from midnight.domain.money import cost_of, parse_money
from midnight.domain.people import Permission
from midnight.domain.product import ExpiryKind
from midnight.domain.quantity import SCALE, format_quantity, parse_quantity, to_decimal
from midnight.services.context import Context
from midnight.services.views import LotInfo, MovementInfo, lot_info, movements_by_id

Quantity = str | int | Decimal


@dataclass(frozen=True)
class Received:
    lot: LotInfo
    movement_id: int
    warnings: list[str]


@dataclass(frozen=True)
class DrawInfo:
    lot_id: int
    quantity: Decimal
    cost: int
    effective_expiry: dt.date
    past_best_before: bool
    movement_id: int


@dataclass(frozen=True)
class Drawn:
    """The result of a sale or kitchen use: which lots gave how much, at what cost."""

    kind: str
    sku: str
    quantity: Decimal
    cost: int
    currency: str
    draws: list[DrawInfo]
    warnings: list[str]


@dataclass(frozen=True)
class WrittenOff:
    movement_id: int
    lot_id: int
    sku: str
    quantity: Decimal
    cost: int
    currency: str
    reason: str


@dataclass(frozen=True)
class Counted:
    movement_id: int
    lot_id: int
    sku: str
    previous: Decimal
    counted: Decimal
    adjustment: Decimal


def _date(value: dt.date | str | None, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_date(value, field=field)


def _text(value: str | None, field: str, limit: int = 200) -> str:
    clean = (value or "").strip()
    if len(clean) > limit:
        raise InvalidInput(f"{field} must be at most {limit} characters", field=field)
    return clean


def receive(
    ctx: Context,
    code: str,
    quantity: Quantity,
    *,
    expires: dt.date | str | None = None,
    cost: str | Decimal | int = 0,
    location: str = "shelf",
    supplier: str | None = None,
    received_on: dt.date | str | None = None,
    reference: str | None = None,
) -> Received:
    """A delivery arrives: a new lot (never merged into another) and its receive movement."""
    ctx.require(Permission.RECEIVE)
    with ctx.db.write() as conn:
        return receive_in(
            ctx,
            conn,
            code,
            quantity,
            expires=expires,
            cost=cost,
            location=location,
            supplier=supplier,
            received_on=received_on,
            reference=reference,
        )


def receive_in(
    ctx: Context,
    conn: Connection,
    code: str,
    quantity: Quantity,
    *,
    expires: dt.date | str | None = None,
    cost: str | Decimal | int = 0,
    location: str = "shelf",
    supplier: str | None = None,
    received_on: dt.date | str | None = None,
    reference: str | None = None,
) -> Received:
    """Receive inside the caller's transaction (an import receives many lots in one)."""
    milli = parse_quantity(quantity)
    unit_cost = parse_money(cost, ctx.store.currency, field="cost")
    expiry_given = _date(expires, "expires")
    back_date = _date(received_on, "received")
    supplier_name = _text(supplier, "supplier")
    note = _text(reference, "reference")
    now, today = ctx.now(), ctx.today()
    if back_date is not None and back_date > today:
        raise InvalidInput(f"received date {back_date} is in the future", field="received")
    received_on_day = back_date or today
    # A back-dated delivery is put at local noon of its day: before anything received later.
    received_at = (
        now
        if received_on_day == today
        else start_of_day(received_on_day, ctx.store.tz) + dt.timedelta(hours=12)
    )
    product = repo.product_by_code(conn, code)
    where = repo.location_id(conn, ctx.store.id, location)
    expiry = default_expiry(received_on_day, product.shelf_life_days, expiry_given)
    if expiry < received_on_day:
        raise InvalidInput(
            f"expiry date {expiry} is before the received date {received_on_day}", field="expires"
        )
    lot_id = repo.insert_lot(
        conn,
        product_id=product.id,
        location_id=where,
        supplier=supplier_name,
        unit_cost=unit_cost,
        received_at=received_at,
        expiry_date=expiry,
        effective_expiry=expiry,
    )
    movement_id = repo.record(
        conn,
        repo.NewMovement(
            "receive",
            lot_id,
            product.id,
            milli,
            unit_cost,
            received_at,
            reason="delivery",
            reference=note,
        ),
        actor=ctx.actor,
        recorded_at=now,
    )
    warnings = []
    if is_expired(expiry, today):
        warnings.append(f"lot {lot_id} is already past its {product.expiry_kind.value} date {expiry}")
    return Received(lot_info(ctx, conn, lot_id), movement_id, warnings)


def sell(
    ctx: Context,
    code: str,
    quantity: Quantity,
    *,
    allow_past_best_before: bool = False,
    reference: str | None = None,
) -> Drawn:
    """Sell stock FEFO across lots, all or nothing."""
    ctx.require(Permission.SELL)
    return _draw(ctx, "sell", code, quantity, allow_past_best_before, reference)


def use(
    ctx: Context,
    code: str,
    quantity: Quantity,
    *,
    allow_past_best_before: bool = False,
    reference: str | None = None,
) -> Drawn:
    """The kitchen uses stock FEFO across lots, all or nothing."""
    ctx.require(Permission.SELL)
    return _draw(ctx, "use", code, quantity, allow_past_best_before, reference)


def draw_in(
    ctx: Context,
    conn: Connection,
    kind: str,
    code: str,
    milli: int,
    *,
    allow_past_best_before: bool = False,
    reference: str = "",
    order_line_id: int | None = None,
) -> Drawn:
    """Draw FEFO inside the caller's transaction (the till pays a whole order in one)."""
    now, today, currency = ctx.now(), ctx.today(), ctx.store.currency
    product, found = repo.sellable_lots(
        conn, code, today=today, allow_past_best_before=allow_past_best_before, enough=milli, for_update=True
    )
    sku, product_id = (product.sku, product.id) if product else (found[0].sku, found[0].product_id)
    lots = {lot.id: lot for lot in found}
    draws = allocate(
        sku,
        (lot.view() for lot in found),
        milli,
        today,
        allow_past_best_before=allow_past_best_before,
    )
    infos, warnings = [], []
    for draw in draws:
        lot = lots[draw.lot_id]
        movement_id = repo.record(
            conn,
            repo.NewMovement(
                kind,
                lot.id,
                product_id,
                -draw.quantity,
                lot.unit_cost,
                now,
                reference=reference,
                order_line_id=order_line_id,
            ),
            actor=ctx.actor,
            recorded_at=now,
        )
        if draw.past_best_before:
            warnings.append(f"lot {lot.id} of {sku} is past its best-before date {lot.effective_expiry}")
        infos.append(
            DrawInfo(
                lot.id,
                to_decimal(draw.quantity),
                cost_of(lot.unit_cost, draw.quantity),
                lot.effective_expiry,
                draw.past_best_before,
                movement_id,
            )
        )
    return Drawn(kind, sku, to_decimal(milli), sum(d.cost for d in infos), currency, infos, warnings)


def _draw(
    ctx: Context,
    kind: str,
    code: str,
    quantity: Quantity,
    allow_past_best_before: bool,
    reference: str | None,
) -> Drawn:
    milli = parse_quantity(quantity)
    with ctx.db.write() as conn:
        return draw_in(
            ctx,
            conn,
            kind,
            code,
            milli,
            allow_past_best_before=allow_past_best_before,
            reference=_text(reference, "reference"),
        )


def _take(lot: repo.LotRecord, quantity: Quantity | None, what: str) -> int:
    milli = lot.on_hand if quantity is None else parse_quantity(quantity)
    if lot.on_hand == 0:
        raise Conflict(f"lot {lot.id} is empty", field="lot")
    if milli > lot.on_hand:
        raise Conflict(
            f"cannot {what} {format_quantity(milli)} of lot {lot.id}: it holds {format_quantity(lot.on_hand)}",
            field="quantity",
        )
    return milli


def _split(
    ctx: Context,
    conn: Connection,
    kind: str,
    lot: repo.LotRecord,
    milli: int,
    *,
    location_id: int,
    opened_at: dt.datetime | None,
    effective: dt.date,
    reason: str,
) -> int:
    """Move part of a lot into a new child lot: two movements that net to zero."""
    now = ctx.now()
    child = repo.insert_lot(
        conn,
        product_id=lot.product_id,
        location_id=location_id,
        supplier=lot.supplier,
        unit_cost=lot.unit_cost,
        received_at=lot.received_at,
        expiry_date=lot.expiry_date,
        effective_expiry=effective,
        opened_at=opened_at,
        parent_lot_id=lot.id,
    )
    out_id = repo.record(
        conn,
        repo.NewMovement(kind, lot.id, lot.product_id, -milli, lot.unit_cost, now, reason=reason),
        actor=ctx.actor,
        recorded_at=now,
    )
    repo.record(
        conn,
        repo.NewMovement(
            kind, child, lot.product_id, milli, lot.unit_cost, now, reason=reason, pair_id=out_id
        ),
        actor=ctx.actor,
        recorded_at=now,
    )
    return child


def open_pack(ctx: Context, lot_id: int | str, quantity: Quantity | None = None) -> LotInfo:
    """Open a pack: it becomes its own lot whose life is cut to the product's opened shelf life.

    Without a quantity, one unit is opened (or the whole lot if it holds one unit or less).
    """
    ctx.require(Permission.OPEN)
    with ctx.db.write() as conn:
        lot = repo.lot_by_id(conn, lot_id, for_update=True)
        if lot.opened_at is not None:
            raise Conflict(f"lot {lot.id} is already open", field="lot")
        if lot.expiry_kind is ExpiryKind.USE_BY and is_expired(lot.effective_expiry, ctx.today()):
            raise Conflict(
                f"lot {lot.id} is past its use-by date {lot.effective_expiry}: write it off",
                field="lot",
            )
        if quantity is None and lot.on_hand > SCALE:
            quantity = 1
        milli = _take(lot, quantity, "open")
        now = ctx.now()
        opened_on = local_date(now, ctx.store.tz)
        child = _split(
            ctx,
            conn,
            "open",
            lot,
            milli,
            location_id=lot.location_id,
            opened_at=now,
            effective=effective_expiry(lot.expiry_date, opened_on, lot.opened_shelf_life_days),
            reason="opened",
        )
        return lot_info(ctx, conn, child)


def move(ctx: Context, lot_id: int | str, quantity: Quantity | None, location: str) -> LotInfo:
    """Move some or all of a lot to another location; the moved part becomes a new lot there."""
    ctx.require(Permission.MOVE)
    with ctx.db.write() as conn:
        lot = repo.lot_by_id(conn, lot_id, for_update=True)
        target = repo.location_id(conn, ctx.store.id, location)
        if target == lot.location_id:
            raise InvalidInput(f"lot {lot.id} is already in {location}", field="location")
        milli = _take(lot, quantity, "move")
        child = _split(
            ctx,
            conn,
            "move",
            lot,
            milli,
            location_id=target,
            opened_at=lot.opened_at,
            effective=lot.effective_expiry,
            reason=f"moved to {location}",
        )
        return lot_info(ctx, conn, child)


def _reason(text: str | None) -> str:
    reason = _text(text, "reason", 500)
    if not reason:
        raise InvalidInput("a write-off needs a reason (--reason)", field="reason")
    return reason


def write_off(ctx: Context, lot_id: int | str, quantity: Quantity | None, reason: str | None) -> WrittenOff:
    """Expired or damaged stock goes to waste, with its cost and a reason."""
    ctx.require(Permission.WRITE_OFF)
    why = _reason(reason)
    with ctx.db.write() as conn:
        lot = repo.lot_by_id(conn, lot_id, for_update=True)
        milli = _take(lot, quantity, "write off")
        return _waste(ctx, conn, lot, milli, why)


def _waste(ctx: Context, conn: Connection, lot: repo.LotRecord, milli: int, reason: str) -> WrittenOff:
    now = ctx.now()
    movement_id = repo.record(
        conn,
        repo.NewMovement("waste", lot.id, lot.product_id, -milli, lot.unit_cost, now, reason=reason),
        actor=ctx.actor,
        recorded_at=now,
    )
    return WrittenOff(
        movement_id,
        lot.id,
        lot.sku,
        to_decimal(milli),
        cost_of(lot.unit_cost, milli),
        ctx.store.currency,
        reason,
    )


def write_off_expired(ctx: Context, reason: str = "expired") -> list[WrittenOff]:
    """Write off every use-by lot past its effective expiry, in one transaction."""
    ctx.require(Permission.WRITE_OFF)
    why = _reason(reason)
    today = ctx.today()
    with ctx.db.write() as conn:
        ids = (
            conn.execute(
                select(t.lots.c.id)
                .join(t.products, t.products.c.id == t.lots.c.product_id)
                .where(
                    t.HAS_STOCK,
                    t.lots.c.effective_expiry < today,
                    t.products.c.expiry_kind == ExpiryKind.USE_BY.value,
                )
                .order_by(t.lots.c.effective_expiry, t.lots.c.id)
                .with_for_update(of=t.lots)
            )
            .scalars()
            .all()
        )
        written = []
        for lot_id in ids:
            lot = repo.lot_by_id(conn, lot_id)
            written.append(_waste(ctx, conn, lot, lot.on_hand, why))
        return written


def count(ctx: Context, lot_id: int | str, counted: Quantity) -> Counted:
    """A stock take: the lot is counted, and the difference is written as an adjustment."""
    ctx.require(Permission.ADJUST)
    milli = parse_quantity(counted, field="counted quantity", allow_zero=True)
    with ctx.db.write() as conn:
        lot = repo.lot_by_id(conn, lot_id, for_update=True)
        now = ctx.now()
        delta = milli - lot.on_hand
        movement_id = repo.record(
            conn,
            repo.NewMovement("adjust", lot.id, lot.product_id, delta, lot.unit_cost, now, reason="count"),
            actor=ctx.actor,
            recorded_at=now,
        )
        return Counted(
            movement_id, lot.id, lot.sku, to_decimal(lot.on_hand), to_decimal(milli), to_decimal(delta)
        )


def undo(ctx: Context, movement_id: int | str) -> list[MovementInfo]:
    """Reverse a movement (both legs of a move or open) with new, opposite movements."""
    ctx.require(Permission.ADJUST)
    key = parse_id(movement_id, "movement")
    with ctx.db.write() as conn:
        m = t.movements.c
        original = conn.execute(select(t.movements).where(m.id == key)).first()
        if original is None:
            raise NotFound(f"no movement {key}", field="movement")
        if original.order_line_id is not None or original.refund_id is not None:
            raise Conflict(
                f"movement {key} belongs to a till order; refund the order instead", field="movement"
            )
        if original.reverses_id is not None:
            raise Conflict(
                f"movement {key} is itself the undo of {original.reverses_id}; record the change again instead",
                field="movement",
            )
        legs = conn.execute(
            select(t.movements)
            .where((m.id == key) | (m.pair_id == key) | (m.id == (original.pair_id or -1)))
            .order_by(m.id)
        ).all()
        done = conn.execute(select(m.id).where(m.reverses_id.in_([leg.id for leg in legs]))).scalar()
        if done is not None:
            raise Conflict(f"movement {key} was already undone by movement {done}", field="movement")
        if all(leg.quantity == 0 for leg in legs):
            raise Conflict(f"movement {key} changed nothing; there is nothing to undo", field="movement")
        for leg in legs:
            lot = repo.lot_by_id(conn, leg.lot_id, for_update=True)
            if lot.on_hand - leg.quantity < 0:
                raise Conflict(
                    f"cannot undo movement {key}: lot {lot.id} holds {format_quantity(lot.on_hand)} "
                    f"but the undo would take {format_quantity(leg.quantity)}",
                    field="movement",
                )
        now = ctx.now()
        written: list[int] = []
        # Give back before taking away, so no lot dips below zero mid-way.
        for leg in sorted(legs, key=lambda leg: leg.quantity):
            written.append(
                repo.record(
                    conn,
                    repo.NewMovement(
                        leg.kind,
                        leg.lot_id,
                        leg.product_id,
                        -leg.quantity,
                        leg.unit_cost,
                        now,
                        reason=f"undo of movement {leg.id}",
                        reference=leg.reference,
                        pair_id=written[0] if written else None,
                        reverses_id=leg.id,
                    ),
                    actor=ctx.actor,
                    recorded_at=now,
                )
            )
        return movements_by_id(conn, written)
