"""What an order comes to if paid now, before anything is recorded: the till's screen shows this.

The same menu prices, modifiers, discount rounding and reduce-to-clear rule that paying applies, on
an in-memory FEFO allocation of the lots sellable now (read, never locked or written).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Connection

from midnight.commands.till import PaymentIn, PlaceOrder
from midnight.db import menu as menu_db
from midnight.db import stock as stock_db
from midnight.domain.errors import InsufficientStock, InvalidInput
from midnight.domain.fefo import allocate
from midnight.domain.lot import LotView, check_whole_units
from midnight.domain.menu import scale_recipe, sold_as_is
from midnight.domain.people import Permission
from midnight.domain.pricing import Discount, LineInput, OrderPrice, price_order, settle
from midnight.domain.quantity import SCALE, to_decimal
from midnight.services import tenders as tenders_svc
from midnight.services.context import Context
from midnight.services.lines import Made, made_lines
from midnight.services.orders import as_sold, check_day_open, discount, given_tenders, line_discounts

MAX_ENOUGH = 10**15  # read every sellable lot of a product: the quote needs them all, not the first few


@dataclass(frozen=True)
class QuotedModifier:
    code: str
    name: str
    price_delta: int


@dataclass(frozen=True)
class QuotedLine:
    code: str
    name: str
    quantity: Decimal
    unit_price: int  # with its modifiers
    gross: int
    markdown: int
    discount: int
    net: int
    short: str | None  # why the stock can't cover the line now, if it can't
    modifiers: list[QuotedModifier]


@dataclass(frozen=True)
class Quote:
    """What an order costs if paid now: the same pricing, FEFO and markdowns that paying applies."""

    currency: str
    lines: list[QuotedLine]
    gross: int
    markdowns: int
    discounts: int
    total: int
    payable: bool  # every line's stock is there now


def quote_order(ctx: Context, cmd: PlaceOrder) -> Quote:
    """Price an order without recording anything: each line's stock is allocated FEFO in memory from
    the lots that are sellable now, so a reduce-to-clear markdown shows exactly as paying would charge it.

    Paying re-prices under the write lock; if another till took the marked-down lot in between, the
    total differs and a payment made with `expected_total` is refused rather than charged otherwise.
    """
    ctx.require(Permission.SELL)
    ctx = as_sold(ctx, cmd.sold_at)
    discounts = line_discounts(ctx, cmd.lines)
    order_discount = discount(ctx, cmd.discount, cmd.discount_reason, "discount")
    now, today = ctx.now(), ctx.today()
    with ctx.db.read() as conn:
        if ctx.entered_at is not None:
            check_day_open(ctx, conn)
        made = made_lines(conn, cmd.lines, now)
        lines = [(m, line.quantity, d) for m, line, d in zip(made, cmd.lines, discounts, strict=True)]
        return _quote(ctx, conn, lines, order_discount, today)


@dataclass(frozen=True)
class TenderPreview:
    """What the payment boxes as typed would do to a total: still due, or change to give."""

    due: int
    change: int


def preview_tenders(ctx: Context, total: int, payments: list[PaymentIn]) -> TenderPreview | None:
    """Before Pay: how much is still due (for "rest by card") or the change cash would get, by the
    same settling rules as paying; None if the boxes don't make a payment yet."""
    try:
        given = tenders_svc.named(ctx, given_tenders(ctx, payments))
    except InvalidInput:
        return None
    if not given:
        return TenderPreview(total, 0)
    offered = sum(t.amount for t in given)
    if offered < total:
        return TenderPreview(total - offered, 0)
    try:
        return TenderPreview(0, sum(s.change for s in settle(total, given, ctx.money)))
    except InvalidInput:
        return None


def prices_now(ctx: Context, codes: list[str]) -> dict[str, int]:
    """What one unit of each reduce-to-clear item costs now (the next one sold comes from a lot near
    its date): the till's buttons show it. Items without a markdown rule are left out."""
    ctx.require(Permission.SELL)
    now, today = ctx.now(), ctx.today()
    with ctx.db.read() as conn:
        items = menu_db.menu_items(conn, codes, now) if codes else {}
        marked = [item for item in items.values() if item.markdown is not None]
        return {
            item.code: _quote(
                ctx, conn, [(Made(item, [], item.price, item.recipe), SCALE, None)], None, today
            ).total
            for item in marked
            if sold_as_is(item.recipe)
        }


def _quote(
    ctx: Context,
    conn: Connection,
    lines: list[tuple[Made, int, Discount | None]],
    order_discount: Discount | None,
    today: dt.date,
) -> Quote:
    shelves: dict[str, tuple[str, dict[int, LotView]]] = {}
    inputs, shortages = [], []
    for made, quantity, line_discount in lines:
        sealed = made.sealed_sku
        taken: dict[str, list[tuple[dt.date, int]]] = {}
        plan: list[tuple[dict[int, LotView], int, int]] = []
        short = None
        try:
            for sku, needed in scale_recipe(made.recipe, quantity):
                if sku not in shelves:
                    shelves[sku] = _shelf(conn, sku, today, ctx.now() if ctx.entered_at else None)
                unit, lots = shelves[sku]
                whole = sku == sealed
                if whole:
                    check_whole_units(unit, needed, sku)
                for draw in allocate(sku, lots.values(), needed, today, whole_units=whole and unit == "each"):
                    taken.setdefault(sku, []).append((lots[draw.lot_id].effective_expiry, draw.quantity))
                    plan.append((lots, draw.lot_id, draw.quantity))
        except (InsufficientStock, InvalidInput) as exc:
            short, taken, plan = exc.message, {}, []
        for lots, lot_id, milli in plan:  # the next line draws from what this one left
            lots[lot_id] = replace(lots[lot_id], on_hand=lots[lot_id].on_hand - milli)
        markdown = made.markdown(quantity, taken, today)
        inputs.append(LineInput(made.unit_price, quantity, line_discount, markdown=markdown))
        shortages.append(short)
    priced: OrderPrice = price_order(inputs, order_discount, ctx.money)
    return Quote(
        currency=ctx.store.currency,
        payable=not any(shortages),
        lines=[
            QuotedLine(
                made.item.code,
                made.item.name,
                to_decimal(quantity),
                made.unit_price,
                p.gross,
                p.markdown,
                p.discount,
                p.net,
                short,
                [QuotedModifier(o.code, o.name, o.price_delta) for o in made.options],
            )
            for (made, quantity, _), p, short in zip(lines, priced.lines, shortages, strict=True)
        ],
        gross=priced.gross,
        markdowns=priced.markdowns,
        discounts=priced.discounts,
        total=priced.total,
    )


def _shelf(
    conn: Connection, sku: str, today: dt.date, received_by: dt.datetime | None
) -> tuple[str, dict[int, LotView]]:
    """A product's unit and the lots it could be sold from today (live lots only, never history)."""
    product, lots = stock_db.sellable_lots(
        conn, sku, today=today, allow_past_best_before=False, enough=MAX_ENOUGH, received_by=received_by
    )
    unit = product.unit if product else lots[0].unit
    return unit, {lot.id: lot.view() for lot in lots}
