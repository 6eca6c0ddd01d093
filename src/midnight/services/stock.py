"""Stock movements: receive, sell, use, open, move, write off, count, undo.

Every function is one unit of work: it writes all its movements or none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection

from midnight.commands.stock import (
    CorrectExpiry,
    CountLot,
    DrawStock,
    ExpiredQuery,
    FindProduct,
    MoveLot,
    OpenPack,
    ReceiveLot,
    WriteOff,
    WriteOffExpired,
)
from midnight.db import catalog as catalog_db
from midnight.db import stock as stock_db
from midnight.db.stock import ExpiryCorrectionInfo, LotInfo, MovementInfo
from midnight.domain.clock import local_date, start_of_day
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.fefo import allocate
from midnight.domain.lot import (
    ExpiredLot,
    Lot,
    Movement,
    MovementKind,
    check_move,
    check_received,
    check_undo_fits,
    check_whole_units,
    correct_expiry,
    default_expiry,
    effective_expiry,
    expired_check,
    is_expired,
    reversal,
    take,
    to_open,
    to_write_off,
)
from midnight.domain.money import cost_of, to_minor
from midnight.domain.people import Permission
from midnight.domain.product import Product, check_code
from midnight.domain.quantity import to_decimal
from midnight.services.context import Context
from midnight.services.days import current_business_date


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


def receive(ctx: Context, cmd: ReceiveLot) -> Received:
    """A delivery arrives: a new lot (never merged into another) and its receive movement."""
    ctx.require(Permission.RECEIVE)
    with ctx.db.write() as conn:
        return receive_in(ctx, conn, cmd)


def receive_in(ctx: Context, conn: Connection, cmd: ReceiveLot) -> Received:
    """Receive inside the caller's transaction (an import receives many lots in one)."""
    unit_cost = to_minor(cmd.cost, ctx.store.currency, field="cost")
    now, today = ctx.now(), ctx.today()
    product = catalog_db.product_by_code(conn, cmd.sku)
    check_whole_units(product.unit, cmd.quantity, product.sku)
    where = catalog_db.location_id(conn, ctx.store.id, cmd.location)
    received_on = cmd.received or today
    expiry = default_expiry(received_on, product.shelf_life_days, cmd.expires)
    check_received(cmd.received, expiry, today)
    # A back-dated delivery is put at local noon of its day: before anything received later.
    received_at = (
        now if received_on == today else start_of_day(received_on, ctx.store.tz) + dt.timedelta(hours=12)
    )
    lot_id = stock_db.insert_lot(
        conn,
        product_id=product.id,
        location_id=where,
        supplier=cmd.supplier,
        unit_cost=unit_cost,
        received_at=received_at,
        expiry_date=expiry,
        effective_expiry=expiry,
        batch=cmd.batch or None,
    )
    movement = Movement(
        MovementKind.RECEIVE,
        lot_id,
        product.id,
        cmd.quantity,
        unit_cost,
        received_at,
        reason="delivery",
        reference=cmd.reference,
    )
    movement_id = stock_db.record(conn, movement, actor=ctx.actor, recorded_at=now)
    warnings = []
    if is_expired(expiry, today):
        warnings.append(f"lot {lot_id} is already past its {product.expiry_kind.value} date {expiry}")
    return Received(stock_db.lot_info(conn, lot_id, today, ctx.store.currency), movement_id, warnings)


def sell(ctx: Context, cmd: DrawStock) -> Drawn:
    """Sell stock FEFO across lots, all or nothing."""
    ctx.require(Permission.SELL)
    return _draw(ctx, MovementKind.SELL, cmd)


def use(ctx: Context, cmd: DrawStock) -> Drawn:
    """The kitchen uses stock FEFO across lots, all or nothing."""
    ctx.require(Permission.SELL)
    return _draw(ctx, MovementKind.USE, cmd)


def _draw(ctx: Context, kind: MovementKind, cmd: DrawStock) -> Drawn:
    with ctx.db.write() as conn:
        return draw_in(
            ctx,
            conn,
            kind,
            cmd.sku,
            cmd.quantity,
            allow_past_best_before=cmd.allow_past_best_before,
            reference=cmd.reference,
            whole_units=kind is MovementKind.SELL,
        )


def draw_in(
    ctx: Context,
    conn: Connection,
    kind: MovementKind,
    code: str,
    milli: int,
    *,
    allow_past_best_before: bool = False,
    reference: str = "",
    order_line_id: int | None = None,
    whole_units: bool = False,
) -> Drawn:
    """Draw FEFO inside the caller's transaction (the till pays a whole order in one)."""
    now, today, currency = ctx.now(), ctx.today(), ctx.store.currency
    product, found = stock_db.sellable_lots(
        conn,
        code,
        today=today,
        allow_past_best_before=allow_past_best_before,
        enough=milli,
        for_update=True,
        whole_units=whole_units,
        received_by=now if ctx.entered_at else None,
    )
    sku, product_id = (product.sku, product.id) if product else (found[0].sku, found[0].product_id)
    unit = product.unit if product else found[0].unit
    if whole_units:
        check_whole_units(unit, milli, sku)
    lots = {lot.id: lot for lot in found}
    draws = allocate(
        sku,
        (lot.view() for lot in found),
        milli,
        today,
        allow_past_best_before=allow_past_best_before,
        whole_units=whole_units and unit == "each",
    )
    infos, warnings = [], []
    for draw in draws:
        lot = lots[draw.lot_id]
        movement = Movement(
            kind,
            lot.id,
            product_id,
            -draw.quantity,
            lot.unit_cost,
            now,
            reference=reference,
            order_line_id=order_line_id,
        )
        movement_id = stock_db.record(conn, movement, actor=ctx.actor, recorded_at=ctx.entered_at or now)
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
    return Drawn(kind.value, sku, to_decimal(milli), sum(d.cost for d in infos), currency, infos, warnings)


def _split(
    ctx: Context,
    conn: Connection,
    kind: MovementKind,
    lot: Lot,
    milli: int,
    *,
    location_id: int,
    opened_at: dt.datetime | None,
    effective: dt.date,
    reason: str,
) -> int:
    """Move part of a lot into a new child lot: two movements that net to zero."""
    now = ctx.now()
    child = stock_db.insert_lot(
        conn,
        product_id=lot.product_id,
        location_id=location_id,
        supplier=lot.supplier,
        unit_cost=lot.unit_cost,
        received_at=lot.received_at,
        expiry_date=lot.expiry_date,
        corrected_expiry=lot.corrected_expiry,
        effective_expiry=effective,
        opened_at=opened_at,
        parent_lot_id=lot.id,
        batch=lot.batch,
    )
    out = Movement(kind, lot.id, lot.product_id, -milli, lot.unit_cost, now, reason=reason)
    out_id = stock_db.record(conn, out, actor=ctx.actor, recorded_at=now)
    back = Movement(kind, child, lot.product_id, milli, lot.unit_cost, now, reason=reason, pair_id=out_id)
    stock_db.record(conn, back, actor=ctx.actor, recorded_at=now)
    return child


def open_pack(ctx: Context, lot_id: int, cmd: OpenPack) -> LotInfo:
    """Open a pack: it becomes its own lot whose life is cut to the product's opened shelf life.

    Without a quantity, one unit is opened (or the whole lot if it holds one unit or less).
    """
    ctx.require(Permission.OPEN)
    with ctx.db.write() as conn:
        lot = stock_db.lot_by_id(conn, lot_id, for_update=True)
        milli = to_open(lot, cmd.quantity, ctx.today())
        now = ctx.now()
        opened_on = local_date(now, ctx.store.tz)
        child = _split(
            ctx,
            conn,
            MovementKind.OPEN,
            lot,
            milli,
            location_id=lot.location_id,
            opened_at=now,
            effective=effective_expiry(lot.expiry, opened_on, lot.opened_shelf_life_days),
            reason="opened",
        )
        return stock_db.lot_info(conn, child, ctx.today(), ctx.store.currency)


def move(ctx: Context, lot_id: int, cmd: MoveLot) -> LotInfo:
    """Move some or all of a lot to another location; the moved part becomes a new lot there."""
    ctx.require(Permission.MOVE)
    with ctx.db.write() as conn:
        lot = stock_db.lot_by_id(conn, lot_id, for_update=True)
        target = catalog_db.location_id(conn, ctx.store.id, cmd.location)
        check_move(lot, target, cmd.location)
        milli = take(lot, cmd.quantity, "move")
        child = _split(
            ctx,
            conn,
            MovementKind.MOVE,
            lot,
            milli,
            location_id=target,
            opened_at=lot.opened_at,
            effective=lot.effective_expiry,
            reason=f"moved to {cmd.location}",
        )
        return stock_db.lot_info(conn, child, ctx.today(), ctx.store.currency)


def write_off(ctx: Context, lot_id: int, cmd: WriteOff) -> WrittenOff:
    """Expired or damaged stock goes to waste, with its cost and a reason."""
    ctx.require(Permission.WRITE_OFF)
    with ctx.db.write() as conn:
        lot = stock_db.lot_by_id(conn, lot_id, for_update=True)
        day = current_business_date(conn, ctx.store.id, ctx.today())
        return _waste(ctx, conn, lot, take(lot, cmd.quantity, "write off"), cmd.reason, day)


def _waste(ctx: Context, conn: Connection, lot: Lot, milli: int, reason: str, day: dt.date) -> WrittenOff:
    now = ctx.now()
    movement = Movement(
        MovementKind.WASTE,
        lot.id,
        lot.product_id,
        -milli,
        lot.unit_cost,
        now,
        reason=reason,
        business_date=day,
    )
    movement_id = stock_db.record(conn, movement, actor=ctx.actor, recorded_at=now)
    cost = cost_of(lot.unit_cost, milli)
    return WrittenOff(movement_id, lot.id, lot.sku, to_decimal(milli), cost, ctx.store.currency, reason)


@dataclass(frozen=True)
class UnitsOf:
    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class ExpiredStock:
    """What writing off everything expired would take, for a person to confirm first."""

    lots: int
    units: list[UnitsOf]  # per unit of measure: 12 each, 1.5 kg
    cost: int  # minor units
    cost_text: str  # the cost as the store shows money: HK$123.40
    currency: str
    include_best_before: bool
    best_before_kept: int  # best-before lots past their date left out (they may still be sold)
    check: str  # hand back as WriteOffExpired.expected: refused if the expired stock changed since

    def describe(self) -> str:
        """ "3 lots (12 each, 1.5 kg) at a cost of HK$123.40" """
        units = ", ".join(f"{u.quantity} {u.unit}" for u in self.units)
        lots = "1 lot" if self.lots == 1 else f"{self.lots} lots"
        return f"{lots} ({units}) at a cost of {self.cost_text}" if self.lots else "no lots"


def _summary(ctx: Context, chosen: list[ExpiredLot], kept: int, include_best_before: bool) -> ExpiredStock:
    by_unit: dict[str, int] = {}
    for lot in chosen:
        by_unit[lot.unit] = by_unit.get(lot.unit, 0) + lot.on_hand
    cost = sum(cost_of(lot.unit_cost, lot.on_hand) for lot in chosen)
    return ExpiredStock(
        lots=len(chosen),
        units=[UnitsOf(to_decimal(milli), unit) for unit, milli in sorted(by_unit.items())],
        cost=cost,
        cost_text=ctx.money(cost),
        currency=ctx.store.currency,
        include_best_before=include_best_before,
        best_before_kept=kept,
        check=expired_check(chosen),
    )


def _expired_summary(
    ctx: Context, conn: Connection, include_best_before: bool, *, for_update: bool
) -> tuple[list[ExpiredLot], ExpiredStock]:
    today = ctx.today()
    found = stock_db.expired_lots(conn, today, include_best_before=True, for_update=for_update)
    chosen = [lot for lot in found if to_write_off(lot, today, include_best_before=include_best_before)]
    kept = sum(1 for lot in found if lot not in chosen)
    return chosen, _summary(ctx, chosen, kept, include_best_before)


def expired_stock(ctx: Context, query: ExpiredQuery) -> ExpiredStock:
    """How many lots writing off everything expired would take, their units and their cost."""
    ctx.require(Permission.WRITE_OFF)
    with ctx.db.read() as conn:
        return _expired_summary(ctx, conn, query.include_best_before, for_update=False)[1]


def write_off_expired(ctx: Context, cmd: WriteOffExpired) -> list[WrittenOff]:
    """Write off every lot past its effective expiry (use-by; best-before too if asked), as waste
    with its cost, in one transaction.

    Run twice, the second run finds nothing left and writes nothing. Given the `check` of the summary
    a person confirmed, it refuses (and writes nothing) if the expired stock is no longer that.
    """
    ctx.require(Permission.WRITE_OFF)
    with ctx.db.write() as conn:
        chosen, now = _expired_summary(ctx, conn, cmd.include_best_before, for_update=True)
        if not chosen:
            return []
        if cmd.expected is not None and cmd.expected != now.check:
            raise Conflict(
                f"the expired stock changed since it was shown: it is now {now.describe()}. "
                "Look at the new figures and confirm again",
                field="expected",
            )
        day = current_business_date(conn, ctx.store.id, ctx.today())
        written = []
        for expired in chosen:
            lot = stock_db.lot_by_id(conn, expired.id)
            written.append(_waste(ctx, conn, lot, lot.on_hand, cmd.reason, day))
        return written


@dataclass(frozen=True)
class Corrected:
    lot: LotInfo
    correction: ExpiryCorrectionInfo


def correct_lot_expiry(ctx: Context, lot_id: int, cmd: CorrectExpiry) -> Corrected:
    """Put a lot's expiry date right, as an audited event (who, when, from, to, why). The date the
    lot was received with is kept; the lot's effective expiry (FEFO, the board, the digest) follows
    the corrected date, in the same transaction as the event."""
    ctx.require(Permission.ADJUST)
    with ctx.db.write() as conn:
        lot = stock_db.lot_by_id(conn, lot_id, for_update=True)
        tz = ctx.store.tz
        correction = correct_expiry(
            lot,
            cmd.expires,
            cmd.reason,
            received_on=local_date(lot.received_at, tz),
            opened_on=local_date(lot.opened_at, tz) if lot.opened_at else None,
        )
        now = ctx.now()
        event_id = stock_db.record_expiry_correction(conn, correction, actor=ctx.actor, at=now)
        info = ExpiryCorrectionInfo(
            event_id, lot.id, now, ctx.actor, correction.from_date, correction.to_date, correction.reason
        )
        return Corrected(stock_db.lot_info(conn, lot.id, ctx.today(), ctx.store.currency), info)


@dataclass(frozen=True)
class Receiving:
    """What the receiving form shows once a code is scanned or a name typed: the product picked (and
    the expiry its shelf life gives, in the store's calendar), or the products that match."""

    product: Product | None
    expires: dt.date | None  # today + the product's shelf life; None if it has none
    note: str  # what to do next, for a person
    matches: list[Product]


def find_for_receiving(ctx: Context, cmd: FindProduct) -> Receiving:
    """A scanned or typed code picks its product; otherwise the text is looked for in names and SKUs.
    Nothing is booked: receiving is a separate step."""
    ctx.require(Permission.RECEIVE)
    text = cmd.code.strip()
    if text.isascii() and text.isdigit() and len(text) in BARCODE_LENGTHS:
        try:  # a scan: a misread one says what is wrong with it
            check_code(text)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="code") from None
    with ctx.db.read() as conn:
        product = _by_code(conn, text)
        matches: list[Product] = []
        more = False
        if product is None:
            found = catalog_db.search_products(conn, text, cursor=None, limit=RECEIVING_MATCHES)
            matches, more = found.items, found.next_cursor is not None
            if not matches:
                raise NotFound(f"no product has the code or a name like {text!r}", field="code")
            if len(matches) == 1:
                product = matches[0]
    if product is None:
        many = f"more than {len(matches)}" if more else str(len(matches))
        return Receiving(None, None, f"{many} products match {text!r}: choose one", matches)
    if product.shelf_life_days is None:
        return Receiving(product, None, f"{product.name} has no default shelf life: type its expiry date", [])
    expires = default_expiry(ctx.today(), product.shelf_life_days, None)
    return Receiving(product, expires, f"{product.name}: expiry {expires} from its shelf life", [])


RECEIVING_MATCHES = 8
BARCODE_LENGTHS = (8, 12, 13)


def _by_code(conn: Connection, text: str) -> Product | None:
    """The product a SKU or barcode names exactly; None if the text is no code, or no product's."""
    try:
        return catalog_db.product_by_code(conn, check_code(text))
    except (InvalidInput, NotFound):
        return None


def count(ctx: Context, lot_id: int, cmd: CountLot) -> Counted:
    """A stock take: the lot is counted, and the difference is written as an adjustment."""
    ctx.require(Permission.ADJUST)
    with ctx.db.write() as conn:
        lot = stock_db.lot_by_id(conn, lot_id, for_update=True)
        now = ctx.now()
        delta = cmd.quantity - lot.on_hand
        movement = Movement(
            MovementKind.ADJUST, lot.id, lot.product_id, delta, lot.unit_cost, now, reason="count"
        )
        movement_id = stock_db.record(conn, movement, actor=ctx.actor, recorded_at=now)
        return Counted(
            movement_id, lot.id, lot.sku, to_decimal(lot.on_hand), to_decimal(cmd.quantity), to_decimal(delta)
        )


def undo(ctx: Context, movement_id: int) -> list[MovementInfo]:
    """Reverse a movement (both legs of a move or open) with new, opposite movements."""
    ctx.require(Permission.ADJUST)
    with ctx.db.write() as conn:
        original, legs = stock_db.movement_with_legs(conn, movement_id)
        reversal(original, legs, stock_db.undone_by(conn, [leg_id for leg_id, _ in legs]))
        for _, leg in legs:
            check_undo_fits(movement_id, stock_db.lot_by_id(conn, leg.lot_id, for_update=True), leg)
        now = ctx.now()
        written: list[int] = []
        # Give back before taking away, so no lot dips below zero mid-way.
        for leg_id, leg in sorted(legs, key=lambda pair: pair[1].quantity):
            opposite = Movement(
                leg.kind,
                leg.lot_id,
                leg.product_id,
                -leg.quantity,
                leg.unit_cost,
                now,
                reason=f"undo of movement {leg_id}",
                reference=leg.reference,
                pair_id=written[0] if written else None,
                reverses_id=leg_id,
            )
            written.append(stock_db.record(conn, opposite, actor=ctx.actor, recorded_at=now))
        return stock_db.movements_by_id(conn, written)
