"""The till's orders: place, pay, void, refund. Each is one unit of work, all or nothing.

Every order carries an idempotency key chosen by the till: the same key with the same request
returns the original order and writes nothing; with a different request it is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from midnight.commands.till import OrderQuery, PaymentIn, PayOrder, PlaceOrder, RefundOrder, VoidOrder
from midnight.db import drawers as drawers_db
from midnight.db import menu as menu_db
from midnight.db import orders as orders_db
from midnight.db import stock as stock_db
from midnight.db.orders import OrderInfo
from midnight.db.paging import Page
from midnight.db.types import AnyRow
from midnight.domain import order as rules
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Conflict, Forbidden, InsufficientStock, InvalidInput
from midnight.domain.fefo import allocate
from midnight.domain.lot import LotView, Movement, MovementKind, check_whole_units
from midnight.domain.menu import (
    Markdown,
    MenuItem,
    RecipeLine,
    check_sold_whole,
    line_markdown,
    markdown_from,
    scale_recipe,
    sold_as_is,
)
from midnight.domain.money import to_minor
from midnight.domain.people import Permission
from midnight.domain.pricing import (
    Discount,
    DiscountSpec,
    LineInput,
    Method,
    OrderPrice,
    Tender,
    Way,
    discount_of,
    price_order,
    round_half_up,
    settle,
)
from midnight.domain.quantity import SCALE, to_decimal
from midnight.domain.text import fold
from midnight.services import tenders as tenders_svc
from midnight.services.context import Context
from midnight.services.days import current_business_date
from midnight.services.stock import draw_in

MAX_ENOUGH = 10**15  # read every sellable lot of a product: the quote needs them all, not the first few

__all__ = [
    "OrderInfo",
    "Quote",
    "TenderPreview",
    "get_order",
    "list_orders",
    "pay_order",
    "place_order",
    "quote_order",
    "refund_order",
    "void_order",
]


def _given(ctx: Context, payments: list[PaymentIn] | None) -> list[Tender]:
    """The payments as asked, tender names as typed (checked against the shop's later)."""
    return [
        Tender(
            p.method,
            to_minor(p.amount, ctx.store.currency, field=f"{p.tender or p.method.value} payment"),
            p.tender,
        )
        for p in payments or []
    ]


def _tenders(ctx: Context, payments: list[PaymentIn] | None) -> list[Tender]:
    return tenders_svc.named(ctx, _given(ctx, payments))


def _fingerprint(
    cmd: PlaceOrder,
    tenders: list[Tender],
    discounts: list[Discount | None],
    order_discount: Discount | None,
    expected: int | None,
) -> str:
    """A digest of what was asked, in parsed form, to tell a retry from a different order under the same
    key: "1", 1 and "1.000" are one quantity, "20" and "20.00" one amount."""

    def discount(d: Discount | None) -> list[str] | None:
        return None if d is None else [d.kind.value, str(d.value.normalize()), d.reason]

    body = {
        "lines": [
            [line.code, line.quantity, line.note, discount(d)]
            for line, d in zip(cmd.lines, discounts, strict=True)
        ],
        "discount": discount(order_discount),
        "note": cmd.note,
        "sold_at": cmd.sold_at.isoformat() if cmd.sold_at else None,
        "payments": [
            [t.method.value, t.amount, tenders_svc.tender_key(t.name) if t.name else None] for t in tenders
        ],
        "expected_total": expected,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _expected(ctx: Context, amount: Decimal | None) -> int | None:
    return None if amount is None else to_minor(amount, ctx.store.currency, field="expected_total")


def _discount(ctx: Context, spec: DiscountSpec | None, reason: str | None, field: str) -> Discount | None:
    if spec is None:
        return None
    return discount_of(spec, reason or "", ctx.store.currency, field=field)


LATE_DAYS = 31  # how long after a paper sale it may still be entered


def _as_sold(ctx: Context, sold_at: dt.datetime | None) -> Context:
    """For a sale made earlier (written on paper while the till was down): a context whose clock is
    stopped at the sale, so stock, prices and markdowns are as of then, remembering when it is entered.
    Owners only; it can be at most LATE_DAYS old and not in the future."""
    if sold_at is None:
        return ctx
    if not ctx.who.may(Permission.REPORTS):
        raise Forbidden(f"{ctx.actor} may not enter a sale made earlier: owner only", field="sold_at")
    at = sold_at.replace(tzinfo=ctx.store.tz).astimezone(dt.UTC)
    now = ctx.now()
    if at > now:
        raise InvalidInput(f"a sale made at {sold_at:%Y-%m-%d %H:%M} is still to come", field="sold_at")
    if at < now - dt.timedelta(days=LATE_DAYS):
        raise InvalidInput(
            f"a sale made earlier can be entered up to {LATE_DAYS} days later; {sold_at:%Y-%m-%d} is longer ago",
            field="sold_at",
        )
    late = ctx.at(FixedClock(at), ctx.who)
    late.local, late.entered_at = ctx.local, now
    return late


def _check_day_open(ctx: Context, conn: Connection) -> None:
    """A sale entered late counts on the day it was made, which must still be open."""
    day = ctx.today()
    if day in orders_db.closed_days_from(conn, ctx.store.id, day):
        raise Conflict(
            f"{day:%a %Y-%m-%d} is closed and its Z report is final: a sale made that day can't be entered now",
            field="sold_at",
        )


def place_order(ctx: Context, key: str, cmd: PlaceOrder) -> OrderInfo:
    """Open an order (and, given payments, pay it in the same transaction).

    With `sold_at`, a sale made earlier is entered: as of then, on that day, marked as entered late.
    """
    ctx.require(Permission.SELL)
    if cmd.sold_at is not None and not cmd.payments:
        raise InvalidInput("a sale made earlier was paid then: give its payments", field="payments")
    given = _given(ctx, cmd.payments)
    discounts = [
        _discount(ctx, line.discount, line.discount_reason, f"discount of line {n}")
        for n, line in enumerate(cmd.lines, start=1)
    ]
    order_discount = _discount(ctx, cmd.discount, cmd.discount_reason, "discount")
    expected = _expected(ctx, cmd.expected_total)
    digest = _fingerprint(cmd, given, discounts, order_discount, expected)
    currency = ctx.store.currency
    # A retry gets its order back even if things changed since (a tender retired, a day passed):
    # what was recorded is answered before anything about the order is checked again.
    with ctx.db.read() as conn:
        existing = _replay(conn, key, digest)
        if existing is not None:
            return orders_db.order_info(conn, existing, currency, replayed=True)
    ctx = _as_sold(ctx, cmd.sold_at)
    tenders = tenders_svc.named(ctx, given)
    try:
        with ctx.db.write() as conn:
            existing = _replay(conn, key, digest)
            if existing is not None:
                return orders_db.order_info(conn, existing, currency, replayed=True)
            if ctx.entered_at is not None:
                _check_day_open(ctx, conn)
            order_id = _insert_order(ctx, conn, key, digest, cmd, discounts, order_discount)
            if tenders:
                _pay(ctx, conn, order_id, tenders, expected)
            return orders_db.order_info(conn, order_id, currency)
    except IntegrityError:
        # Another till committed the same key between our check and our insert (PostgreSQL).
        with ctx.db.read() as conn:
            existing = _replay(conn, key, digest)
            if existing is None:
                raise
            return orders_db.order_info(conn, existing, currency, replayed=True)


def _replay(conn: Connection, key: str, digest: str) -> int | None:
    found = orders_db.order_by_key(conn, key)
    if found is None:
        return None
    order_id, recorded = found
    if recorded != digest:
        raise Conflict(
            f"idempotency key {key!r} was already used for a different order (#{order_id})",
            field="idempotency_key",
        )
    return order_id


def _insert_order(
    ctx: Context,
    conn: Connection,
    key: str,
    digest: str,
    cmd: PlaceOrder,
    discounts: list[Discount | None],
    order_discount: Discount | None,
) -> int:
    now = ctx.now()
    items = _items(conn, cmd, now)
    priced = price_order(
        [
            LineInput(item.price, line.quantity, discount)
            for item, line, discount in zip(items, cmd.lines, discounts, strict=True)
        ],
        order_discount,
        ctx.money,
    )
    values = {
        "store_id": ctx.store.id,
        "idempotency_key": key,
        "request_hash": digest,
        "state": rules.OrderState.OPEN.value,
        "created_at": now,
        "entered_at": ctx.entered_at,
        "actor": ctx.actor,
        "note": cmd.note,
        "gross": priced.gross,
        "markdowns": priced.markdowns,
        "line_discounts": priced.line_discounts,
        "order_discount": priced.order_discount,
        "total": priced.total,
        **orders_db.discount_columns(order_discount),
    }
    lines = [
        {
            "line_no": n,
            "menu_item_id": item.id,
            "name": item.name,
            "quantity": line.quantity,
            "unit_price": item.price,
            "note": line.note,
            "gross": price.gross,
            "markdown": price.markdown,
            "discount": price.discount,
            "net": price.net,
            **orders_db.discount_columns(discount),
        }
        for n, (item, line, price, discount) in enumerate(
            zip(items, cmd.lines, priced.lines, discounts, strict=True), start=1
        )
    ]
    return orders_db.insert_order(conn, values, lines)


def _items(conn: Connection, cmd: PlaceOrder, now: dt.datetime) -> list[MenuItem]:
    """The menu item of each line, at its price now; a tin can't be sold by the half."""
    by_code = menu_db.menu_items(conn, [line.code for line in cmd.lines], now)
    items = [by_code[line.code] for line in cmd.lines]
    for n, (item, line) in enumerate(zip(items, cmd.lines, strict=True), start=1):
        try:
            check_sold_whole(item.name, item.recipe, line.quantity)
        except InvalidInput as exc:
            raise InvalidInput(f"line {n}: {exc.message}", field=f"lines.{n}.quantity") from None
    return items


@dataclass(frozen=True)
class QuotedLine:
    code: str
    name: str
    quantity: Decimal
    unit_price: int
    gross: int
    markdown: int
    discount: int
    net: int
    short: str | None  # why the stock can't cover the line now, if it can't


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
    ctx = _as_sold(ctx, cmd.sold_at)
    discounts = [
        _discount(ctx, line.discount, line.discount_reason, f"discount of line {n}")
        for n, line in enumerate(cmd.lines, start=1)
    ]
    order_discount = _discount(ctx, cmd.discount, cmd.discount_reason, "discount")
    now, today = ctx.now(), ctx.today()
    with ctx.db.read() as conn:
        if ctx.entered_at is not None:
            _check_day_open(ctx, conn)
        items = _items(conn, cmd, now)
        lines = [(item, line.quantity, d) for item, line, d in zip(items, cmd.lines, discounts, strict=True)]
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
        given = _tenders(ctx, payments)
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
            item.code: _quote(ctx, conn, [(item, SCALE, None)], None, today).total
            for item in marked
            if sold_as_is(item.recipe)
        }


def _quote(
    ctx: Context,
    conn: Connection,
    lines: list[tuple[MenuItem, int, Discount | None]],
    order_discount: Discount | None,
    today: dt.date,
) -> Quote:
    shelves: dict[str, tuple[str, dict[int, LotView]]] = {}
    inputs, shortages = [], []
    for item, quantity, discount in lines:
        whole = sold_as_is(item.recipe)
        taken: list[tuple[dt.date, int]] = []
        plan: list[tuple[dict[int, LotView], int, int]] = []
        short = None
        try:
            for sku, needed in scale_recipe(item.recipe, quantity):
                if sku not in shelves:
                    shelves[sku] = _shelf(conn, sku, today, ctx.now() if ctx.entered_at else None)
                unit, lots = shelves[sku]
                if whole:
                    check_whole_units(unit, needed, sku)
                for draw in allocate(sku, lots.values(), needed, today, whole_units=whole and unit == "each"):
                    taken.append((lots[draw.lot_id].effective_expiry, draw.quantity))
                    plan.append((lots, draw.lot_id, draw.quantity))
        except (InsufficientStock, InvalidInput) as exc:
            short, taken, plan = exc.message, [], []
        for lots, lot_id, milli in plan:  # the next line draws from what this one left
            lots[lot_id] = replace(lots[lot_id], on_hand=lots[lot_id].on_hand - milli)
        markdown = line_markdown(item.price, quantity, item.recipe, item.markdown, taken, today)
        inputs.append(LineInput(item.price, quantity, discount, markdown=markdown))
        shortages.append(short)
    priced: OrderPrice = price_order(inputs, order_discount, ctx.money)
    return Quote(
        currency=ctx.store.currency,
        payable=not any(shortages),
        lines=[
            QuotedLine(
                item.code,
                item.name,
                to_decimal(quantity),
                item.price,
                p.gross,
                p.markdown,
                p.discount,
                p.net,
                short,
            )
            for (item, quantity, _), p, short in zip(lines, priced.lines, shortages, strict=True)
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


def pay_order(ctx: Context, order_id: int, cmd: PayOrder) -> OrderInfo:
    """Pay an open order: draw every ingredient FEFO, record the payments, mark it paid — or nothing.

    Paying a paid order again with the same payments (a till retrying) returns it unchanged.
    """
    ctx.require(Permission.SELL)
    tenders = _tenders(ctx, cmd.payments)
    expected = _expected(ctx, cmd.expected_total)
    with ctx.db.write() as conn:
        order = orders_db.order(orders_db.order_row(conn, order_id, for_update=True))
        if not rules.check_payable(order, orders_db.recorded_tenders(conn, order.id), tenders):
            return orders_db.order_info(conn, order.id, ctx.store.currency, replayed=True)
        _pay(ctx, conn, order.id, tenders, expected)
        return orders_db.order_info(conn, order.id, ctx.store.currency)


def _pay(
    ctx: Context, conn: Connection, order_id: int, tenders: list[Tender], expected: int | None = None
) -> None:
    now, today = ctx.now(), ctx.today()
    order = orders_db.order_row(conn, order_id)
    lines = orders_db.lines_for_pay(conn, order_id)
    recipe = menu_db.recipes(conn, sorted({line.menu_item_id for line in lines}))
    inputs = []
    for line in lines:
        rule = markdown_from(line.markdown_days, line.markdown_bp)
        marked = _draw_line(ctx, conn, order_id, line, recipe[line.menu_item_id], rule, today)
        discount = orders_db.discount_from(line.discount_kind, line.discount_value, line.discount_reason)
        inputs.append(LineInput(line.unit_price, line.quantity, discount, markdown=marked))
    order_discount = orders_db.discount_from(order.discount_kind, order.discount_value, order.discount_reason)
    priced = price_order(inputs, order_discount, ctx.money)
    if expected is not None and priced.total != expected:
        # The customer was shown another price (another till sold the reduced lot meanwhile, or a
        # markdown began): nothing is charged; the till shows the new total and asks again.
        raise Conflict(
            f"the order now comes to {ctx.money(priced.total)}, not the {ctx.money(expected)} shown; "
            "check the new total with the customer and pay again",
            field="expected_total",
        )
    for line, price in zip(lines, priced.lines, strict=True):
        if (line.markdown, line.discount, line.net) != (price.markdown, price.discount, price.net):
            orders_db.reprice_line(conn, line.id, price.markdown, price.discount, price.net)
    settled = settle(priced.total, tenders, ctx.money)
    business_date = current_business_date(conn, ctx.store.id, today)
    took_cash = any(s.method is Method.CASH for s in settled) and ctx.entered_at is None
    drawer = drawers_db.drawer_for_sale(conn, ctx.store.id, ctx.actor) if took_cash else None
    orders_db.insert_payments(  # none for an order that comes to nothing
        conn,
        [
            {
                "order_id": order_id,
                "method": s.method.value,
                "tender": s.name,
                "drawer_session_id": drawer if s.method is Method.CASH else None,
                "tendered": s.tendered,
                "applied": s.applied,
                "change": s.change,
                "at": now,
                "business_date": business_date,
                "actor": ctx.actor,
            }
            for s in settled
        ],
    )
    orders_db.mark_paid(
        conn,
        order_id,
        {
            "paid_at": now,
            "day": business_date,
            "gross": priced.gross,
            "markdowns": priced.markdowns,
            "line_discounts": priced.line_discounts,
            "order_discount_": priced.order_discount,
            "total": priced.total,
        },
    )


def _draw_line(
    ctx: Context,
    conn: Connection,
    order_id: int,
    line: AnyRow,
    recipe: list[RecipeLine],
    markdown: Markdown | None,
    today: dt.date,
) -> int:
    """Draw a line's ingredients FEFO; return its markdown in minor units."""
    taken: list[tuple[dt.date, int]] = []
    # A tin sold as it is comes whole and sealed from the shelf; a dish's ingredients may come from
    # opened packs and in parts.
    whole = sold_as_is(recipe)
    for sku, needed in scale_recipe(recipe, line.quantity):
        try:
            drawn = draw_in(
                ctx,
                conn,
                MovementKind.SELL,
                sku,
                needed,
                reference=f"order #{order_id}",
                order_line_id=line.id,
                whole_units=whole,
            )
        except InsufficientStock as exc:
            exc.message = f"{line.name}: {exc.message}"
            exc.args = (exc.message,)
            raise
        taken += [(d.effective_expiry, int(d.quantity * SCALE)) for d in drawn.draws]
    return line_markdown(line.unit_price, line.quantity, recipe, markdown, taken, today)


def void_order(ctx: Context, order_id: int, cmd: VoidOrder) -> OrderInfo:
    """Void an unpaid order; it stays on record with its reason."""
    ctx.require(Permission.SELL)
    with ctx.db.write() as conn:
        order = orders_db.order(orders_db.order_row(conn, order_id, for_update=True))
        rules.void(order)
        day = current_business_date(conn, ctx.store.id, ctx.today())
        orders_db.mark_void(conn, order.id, ctx.now(), cmd.reason, day)
        return orders_db.order_info(conn, order.id, ctx.store.currency)


def refund_order(ctx: Context, order_id: int, cmd: RefundOrder) -> OrderInfo:
    """Refund a whole paid order or some of its lines, the way it was paid, with a reason.

    Restockable items go back to the lots they came from; others are written off as waste.
    """
    ctx.require(Permission.REFUND)
    with ctx.db.write() as conn:
        row = orders_db.order_row(conn, order_id, for_update=True)
        order = orders_db.order(row)
        rules.check_refundable(order)
        sold = orders_db.lines_for_refund(conn, order.id)
        asked = [(line.line, line.quantity) for line in cmd.lines] if cmd.lines is not None else None
        wanted = rules.refund_quantities([s for _, s in sold], asked)
        if cmd.restock:
            for line, _ in sold:
                if wanted.get(line.line_no) and not line.restockable:
                    raise InvalidInput(
                        f"line {line.line_no}: {line.name} can't go back on the shelf; refund it as waste",
                        field="restock",
                    )
        paid, refunded = orders_db.money_by_way(conn, order.id)
        amount, everything = rules.refund_amount(
            order.total, sum(refunded.values()), [s for _, s in sold], wanted
        )
        method = Method.OTHER if cmd.method is None and cmd.tender is not None else cmd.method
        way = Way(method, cmd.tender) if method is not None else None
        if way is not None and way.tender is not None:  # "octopus" is the Octopus it was paid by
            way = next((w for w in paid if w.tender and fold(w.tender) == fold(way.tender)), way)
        parts = rules.refund_methods(paid, refunded, way, amount, ctx.money)
        now, day = ctx.now(), current_business_date(conn, ctx.store.id, ctx.today())
        gives_cash = any(w.method is Method.CASH for w, _ in parts)
        drawer = drawers_db.drawer_for_refund(conn, ctx.store.id, ctx.actor, order.id) if gives_cash else None
        refund_ids = [
            orders_db.insert_refund(
                conn,
                {
                    "order_id": order.id,
                    "method": way.method.value,
                    "tender": way.tender,
                    "drawer_session_id": drawer if way.method is Method.CASH else None,
                    "amount": part,
                    "reason": cmd.reason,
                    "at": now,
                    "business_date": day,
                    "actor": ctx.actor,
                },
            )
            for way, part in parts
        ]
        # The goods come back once: the first refund row (of a split one) carries the lines and stock.
        refund_id = refund_ids[0]
        for line, _ in sold:
            quantity = wanted.get(line.line_no)
            if quantity:
                orders_db.insert_refund_line(conn, refund_id, line.id, quantity)
                restock = line.restockable if cmd.restock is None else cmd.restock
                _return_stock(ctx, conn, line, quantity, refund_id, day, restock=restock)
        orders_db.set_state(conn, order.id, rules.after_refund(everything))
        return orders_db.order_info(conn, order.id, ctx.store.currency)


def _return_stock(
    ctx: Context,
    conn: Connection,
    line: AnyRow,
    quantity: int,
    refund_id: int,
    day: dt.date,
    *,
    restock: bool,
) -> None:
    """Give back the stock of `quantity` units of a line, to the lots it was drawn from, latest first."""
    per_product: dict[int, list[AnyRow]] = {}
    for row in orders_db.drawn_for_line(conn, line.id):
        per_product.setdefault(row.product_id, []).append(row)
    now = ctx.now()
    # This refund's lines are already recorded: if nothing of the line is left out, give back all.
    last = orders_db.refunded_quantities(conn, line.order_id).get(line.id, 0) >= line.quantity
    for product_id, lots in per_product.items():
        out = -sum(int(r.net) for r in lots)  # still with the customer, for this line
        drawn_first = orders_db.first_drawn(conn, line.id, product_id)
        give = out if last else min(out, round_half_up(Decimal(drawn_first) * quantity / line.quantity))
        for lot in lots:
            if give <= 0:
                break
            back = min(give, -int(lot.net))
            if back <= 0:
                continue
            give -= back
            # Back from the customer to the lot; an item that can't be resold goes on to waste.
            kinds = [(MovementKind.SELL, back)] + ([] if restock else [(MovementKind.WASTE, -back)])
            for kind, milli in kinds:
                movement = Movement(
                    kind,
                    lot.lot_id,
                    product_id,
                    milli,
                    lot.unit_cost,
                    now,
                    reason="refund",
                    reference=f"order #{line.order_id}",
                    order_line_id=line.id,
                    refund_id=refund_id,
                    business_date=day if kind is MovementKind.WASTE else None,
                )
                stock_db.record(conn, movement, actor=ctx.actor, recorded_at=now)


def recorded_under(ctx: Context, key: str) -> OrderInfo | None:
    """The order already recorded under a till's idempotency key, if any (a panel that was paid)."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        found = orders_db.order_by_key(conn, key)
        return None if found is None else orders_db.order_info(conn, found[0], ctx.store.currency)


def business_day(ctx: Context) -> dt.date:
    """The business day sales count on now: today, or the next open day once today is closed."""
    with ctx.db.read() as conn:
        return current_business_date(conn, ctx.store.id, ctx.today())


def get_order(ctx: Context, order_id: int) -> OrderInfo:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return orders_db.order_info(conn, order_id, ctx.store.currency)


def list_orders(ctx: Context, query: OrderQuery) -> Page[OrderInfo]:
    """Orders, newest first, filtered and paged in the query."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return orders_db.orders(
            conn,
            ctx.store.id,
            business_date=query.date,
            state=query.state,
            currency=ctx.store.currency,
            cursor=query.cursor,
            limit=query.limit,
        )
