"""The till's orders: place, park, pay, void. Each is one unit of work, all or nothing.

Every order carries an idempotency key chosen by the till: the same key with the same request
returns the original order and writes nothing; with a different request it is refused — except a
parked order, which its key reopens: parking it again replaces its lines, paying it settles it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from midnight.commands.till import (
    LineIn,
    OrderQuery,
    ParkedQuery,
    ParkOrder,
    PaymentIn,
    PayOrder,
    PlaceOrder,
    VoidOrder,
)
from midnight.db import drawers as drawers_db
from midnight.db import modifiers as modifiers_db
from midnight.db import offline as offline_db
from midnight.db import orders as orders_db
from midnight.db.orders import OrderInfo
from midnight.db.paging import Page
from midnight.db.types import AnyRow
from midnight.domain import order as rules
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Conflict, Forbidden, InsufficientStock, InvalidInput
from midnight.domain.lot import MovementKind
from midnight.domain.menu import scale_recipe
from midnight.domain.money import to_minor
from midnight.domain.people import Permission
from midnight.domain.pricing import (
    Discount,
    DiscountSpec,
    LineInput,
    Method,
    Tender,
    discount_of,
    price_order,
    settle,
)
from midnight.domain.quantity import SCALE
from midnight.services import kitchen
from midnight.services import tenders as tenders_svc
from midnight.services.context import Context
from midnight.services.days import current_business_date
from midnight.services.lines import Made, made_lines, modifier_rows, paid_lines
from midnight.services.refunds import refund_order
from midnight.services.stock import draw_in

__all__ = [
    "OrderInfo",
    "get_order",
    "list_orders",
    "park_order",
    "parked_orders",
    "pay_order",
    "place_order",
    "refund_order",
    "void_order",
]


def given_tenders(ctx: Context, payments: Sequence[PaymentIn] | None) -> list[Tender]:
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
    return tenders_svc.named(ctx, given_tenders(ctx, payments))


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _discount_body(d: Discount | None) -> list[str] | None:
    return None if d is None else [d.kind.value, str(d.value.normalize()), d.reason]


def _lines_body(lines: Sequence[LineIn], discounts: Sequence[Discount | None]) -> list[list[Any]]:
    return [
        [line.code, line.quantity, line.note, _discount_body(d), sorted(line.modifiers)]
        if line.modifiers
        else [line.code, line.quantity, line.note, _discount_body(d)]
        for line, d in zip(lines, discounts, strict=True)
    ]


def _fingerprint(
    cmd: PlaceOrder,
    tenders: list[Tender],
    discounts: list[Discount | None],
    order_discount: Discount | None,
    expected: int | None,
) -> str:
    """A digest of what was asked, in parsed form, to tell a retry from a different order under the same
    key: "1", 1 and "1.000" are one quantity, "20" and "20.00" one amount."""
    body: dict[str, Any] = {
        "lines": _lines_body(cmd.lines, discounts),
        "discount": _discount_body(order_discount),
        "note": cmd.note,
        "sold_at": cmd.sold_at.isoformat() if cmd.sold_at else None,
        "payments": [
            [t.method.value, t.amount, tenders_svc.tender_key(t.name) if t.name else None] for t in tenders
        ],
        "expected_total": expected,
    }
    if cmd.payments == []:
        body["paid_with_nothing"] = True  # not the same request as placing it unpaid
    return _digest(body)


def expected_minor(ctx: Context, amount: Decimal | None) -> int | None:
    return None if amount is None else to_minor(amount, ctx.store.currency, field="expected_total")


def line_discounts(ctx: Context, lines: Sequence[LineIn]) -> list[Discount | None]:
    return [
        discount(ctx, line.discount, line.discount_reason, f"discount of line {n}")
        for n, line in enumerate(lines, start=1)
    ]


def discount(ctx: Context, spec: DiscountSpec | None, reason: str | None, field: str) -> Discount | None:
    if spec is None:
        return None
    return discount_of(spec, reason or "", ctx.store.currency, field=field)


LATE_DAYS = 31  # how long after a paper sale it may still be entered


def as_sold(ctx: Context, sold_at: dt.datetime | None) -> Context:
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
    return stopped_at(ctx, at)


def stopped_at(ctx: Context, at: dt.datetime) -> Context:
    """The same person and store on a clock stopped at `at`, remembering the real time it is entered."""
    late = ctx.at(FixedClock(at), ctx.who)
    late.local, late.entered_at = ctx.local, ctx.now()
    return late


def check_day_open(ctx: Context, conn: Connection, field: str = "sold_at") -> None:
    """A sale entered late counts on the day it was made, which must still be open."""
    day = ctx.today()
    if day in orders_db.closed_days_from(conn, ctx.store.id, day):
        raise Conflict(
            f"{day:%a %Y-%m-%d} is closed and its Z report is final: a sale made that day can't be entered now",
            field=field,
        )


def place_order(ctx: Context, key: str, cmd: PlaceOrder) -> OrderInfo:
    """Open an order (and, given payments, pay it in the same transaction).

    With `sold_at`, a sale made earlier is entered: as of then, on that day, marked as entered late.
    Under the key of a parked order, with payments, the order is settled as it now stands.
    """
    ctx.require(Permission.SELL)
    if cmd.sold_at is not None and cmd.payments is None:
        raise InvalidInput("a sale made earlier was paid then: give its payments", field="payments")
    paying = cmd.payments is not None
    given = given_tenders(ctx, cmd.payments)
    discounts = line_discounts(ctx, cmd.lines)
    order_discount = discount(ctx, cmd.discount, cmd.discount_reason, "discount")
    expected = expected_minor(ctx, cmd.expected_total)
    digest = _fingerprint(cmd, given, discounts, order_discount, expected)
    currency = ctx.store.currency
    # A retry gets its order back even if things changed since (a tender retired, a day passed):
    # what was recorded is answered before anything about the order is checked again.
    with ctx.db.read() as conn:
        existing = _replay(conn, ctx.store.id, key, digest)
        if existing is not None:
            return orders_db.order_info(conn, existing, currency, replayed=True)
    ctx = as_sold(ctx, cmd.sold_at)
    tenders = tenders_svc.named(ctx, given)
    try:
        with ctx.db.write() as conn:
            existing = _replay(conn, ctx.store.id, key, digest)
            if existing is not None:
                return orders_db.order_info(conn, existing, currency, replayed=True)
            if ctx.entered_at is not None:
                check_day_open(ctx, conn)
            parked = parked_under(conn, ctx.store.id, key)
            if parked is None:
                _check_not_offline(conn, ctx.store.id, key)
            body = OrderBody(cmd.lines, cmd.note, discounts, order_discount, digest)
            if parked is not None:
                if not paying:
                    raise Conflict(
                        f"order #{parked.id} is parked ({parked.label}): park it again to change it, or pay it",
                        field="payments",
                    )
                _check_revision(parked, cmd.revision)
                order_id = replace_lines(ctx, conn, parked, body, {"till": cmd.till or parked.till})
                made = None
            else:
                order_id, made = _insert_made(ctx, conn, key, body, {"till": cmd.till})
            if paying:
                pay_in(ctx, conn, order_id, tenders, expected, made=made)
            return orders_db.order_info(conn, order_id, currency)
    except IntegrityError:
        # Another till committed the same key between our check and our insert (PostgreSQL).
        with ctx.db.read() as conn:
            existing = _replay(conn, ctx.store.id, key, digest)
            if existing is None:
                raise
            return orders_db.order_info(conn, existing, currency, replayed=True)


def _replay(conn: Connection, store_id: int, key: str, digest: str) -> int | None:
    """The order this request already made (a retry); None if it is new, or if the key is a parked
    order's (whose lines may change, and which is settled under it)."""
    found = orders_db.order_by_key(conn, store_id, key)
    if found is None:
        return None
    order_id, recorded = found
    if recorded == digest or not orders_db.is_parked(conn, order_id):
        if recorded != digest:
            raise Conflict(
                f"idempotency key {key!r} was already used for a different order (#{order_id})",
                field="idempotency_key",
            )
        return order_id
    return None


def parked_under(conn: Connection, store_id: int, key: str) -> AnyRow | None:
    found = orders_db.order_by_key(conn, store_id, key)
    if found is None:
        return None
    row = orders_db.order_row(conn, found[0], for_update=True)
    if row.parked_at is None or rules.OrderState(row.state) is not rules.OrderState.OPEN:
        raise Conflict(
            f"order #{row.id} is {rules.OrderState(row.state).label}: it can't be changed now", field="order"
        )
    return row


def _check_not_offline(conn: Connection, store_id: int, key: str) -> None:
    """A key a till already sent an offline order under is that order's: it waits for a manager's
    decision (or was recorded), and a second order under it would make the decision impossible."""
    waiting = offline_db.by_key(conn, store_id, key)
    if waiting is not None:
        raise Conflict(
            f"idempotency key {key!r} was already used for offline order {waiting.local_number}: "
            "decide it on the offline orders page, or ring this one under a new key",
            field="idempotency_key",
        )


def _check_revision(row: AnyRow, revision: int | None) -> None:
    """A parked order is changed (or paid as changed) only by a till that says which revision it saw:
    without one, an old request (a retry, a second tab) would silently undo another till's change."""
    if revision is None:
        raise Conflict(
            f"order #{row.id} is parked ({row.label}) at revision {row.revision}: reopen it and change "
            "it as it is now (give the revision it was reopened at)",
            field="revision",
        )
    if revision != row.revision:
        raise Conflict(
            f"order #{row.id} ({row.label}) was changed on another till since it was opened here: "
            "reopen it to see it as it is now",
            field="revision",
        )


class OrderBody:
    """What an order is made of, as asked: its lines, note and discounts, and the request's digest."""

    def __init__(
        self,
        lines: Sequence[LineIn],
        note: str,
        discounts: list[Discount | None],
        order_discount: Discount | None,
        digest: str,
    ) -> None:
        self.lines, self.note, self.discounts = lines, note, discounts
        self.order_discount, self.digest = order_discount, digest


def _priced_rows(
    ctx: Context, conn: Connection, body: OrderBody
) -> tuple[dict[str, object], list[dict[str, object]], list[Made]]:
    made = made_lines(conn, body.lines, ctx.now())
    priced = price_order(
        [
            LineInput(m.unit_price, line.quantity, d)
            for m, line, d in zip(made, body.lines, body.discounts, strict=True)
        ],
        body.order_discount,
        ctx.money,
    )
    totals = {
        "note": body.note,
        "request_hash": body.digest,
        "gross": priced.gross,
        "markdowns": priced.markdowns,
        "line_discounts": priced.line_discounts,
        "order_discount": priced.order_discount,
        "total": priced.total,
        **orders_db.discount_columns(body.order_discount),
    }
    lines = [
        {
            "line_no": n,
            "menu_item_id": m.item.id,
            "name": m.item.name,
            "quantity": line.quantity,
            "unit_price": m.unit_price,
            "modifier_price": m.modifier_price,
            "note": line.note,
            "gross": price.gross,
            "markdown": price.markdown,
            "discount": price.discount,
            "net": price.net,
            **orders_db.discount_columns(d),
        }
        for n, (m, line, price, d) in enumerate(
            zip(made, body.lines, priced.lines, body.discounts, strict=True), start=1
        )
    ]
    return totals, lines, made


def insert_order(
    ctx: Context, conn: Connection, key: str, body: OrderBody, extra: dict[str, object] | None = None
) -> int:
    """A new open order, numbered for calling on its business day."""
    return _insert_made(ctx, conn, key, body, extra)[0]


def _insert_made(
    ctx: Context, conn: Connection, key: str, body: OrderBody, extra: dict[str, object] | None = None
) -> tuple[int, list[Made]]:
    """The new order, and what its lines are made of (paying it in the same transaction reads no more)."""
    now = ctx.now()
    totals, lines, made = _priced_rows(ctx, conn, body)
    day = current_business_date(conn, ctx.store.id, ctx.today())
    values = {
        "store_id": ctx.store.id,
        "idempotency_key": key,
        "state": rules.OrderState.OPEN.value,
        "created_at": now,
        "entered_at": ctx.entered_at,
        "actor": ctx.actor,
        "call_number": orders_db.next_call_number(conn, ctx.store.id, day),
        **totals,
        **(extra or {}),
    }
    order_id, line_ids = orders_db.insert_order(conn, values, lines, want_ids=any(m.options for m in made))
    modifiers_db.insert_line_modifiers(conn, ctx.store.id, modifier_rows(line_ids, made) if line_ids else [])
    return order_id, made


def replace_lines(
    ctx: Context, conn: Connection, row: AnyRow, body: OrderBody, extra: dict[str, object] | None = None
) -> int:
    """A parked order's lines as they now are (nothing was drawn or paid for the old ones)."""
    totals, lines, made = _priced_rows(ctx, conn, body)
    line_ids = orders_db.replace_lines(
        conn, row.id, lines, {**totals, "revision": row.revision + 1, **(extra or {})}
    )
    modifiers_db.insert_line_modifiers(conn, ctx.store.id, modifier_rows(line_ids, made))
    return int(row.id)


def _park_digest(cmd: ParkOrder, discounts: list[Discount | None], order_discount: Discount | None) -> str:
    return _digest(
        {
            "park": cmd.label,
            "lines": _lines_body(cmd.lines, discounts),
            "discount": _discount_body(order_discount),
            "note": cmd.note,
            "revision": cmd.revision,
            "send": cmd.send_to_kitchen,
        }
    )


def park_order(ctx: Context, key: str, cmd: ParkOrder) -> OrderInfo:
    """Keep an order open under a name, to reopen and pay on any till; under the key of an order parked
    before, its lines are replaced (refused if another till changed it since it was reopened). With
    `send_to_kitchen`, the kitchen gets what it has not had yet of the order as it now stands."""
    ctx.require(Permission.SELL)
    discounts = line_discounts(ctx, cmd.lines)
    order_discount = discount(ctx, cmd.discount, cmd.discount_reason, "discount")
    digest = _park_digest(cmd, discounts, order_discount)
    currency = ctx.store.currency
    try:
        with ctx.db.write() as conn:
            found = orders_db.order_by_key(conn, ctx.store.id, key)
            if found is not None and found[1] == digest:
                return orders_db.order_info(conn, found[0], currency, replayed=True)
            body = OrderBody(cmd.lines, cmd.note, discounts, order_discount, digest)
            now = ctx.now()
            extra: dict[str, object] = {"label": cmd.label, "parked_at": now}
            if found is None:
                _check_not_offline(conn, ctx.store.id, key)
                order_id = insert_order(ctx, conn, key, body, {**extra, "till": cmd.till, "revision": 1})
            else:
                row = parked_under(conn, ctx.store.id, key)
                assert row is not None
                _check_revision(row, cmd.revision)
                order_id = replace_lines(ctx, conn, row, body, extra)
            if cmd.send_to_kitchen:
                kitchen.send(ctx, conn, order_id)
            return orders_db.order_info(conn, order_id, currency)
    except IntegrityError:
        with ctx.db.read() as conn:
            found = orders_db.order_by_key(conn, ctx.store.id, key)
            if found is None or found[1] != digest:
                raise
            return orders_db.order_info(conn, found[0], currency, replayed=True)


def parked_orders(ctx: Context, query: ParkedQuery) -> Page[OrderInfo]:
    """Orders parked and not yet paid, oldest first (the table waiting longest at the top)."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return orders_db.parked(
            conn, ctx.store.id, ctx.store.currency, cursor=query.cursor, limit=query.limit
        )


def pay_order(ctx: Context, order_id: int, cmd: PayOrder) -> OrderInfo:
    """Pay an open order: draw every ingredient FEFO, record the payments, mark it paid — or nothing.

    Paying a paid order again with the same payments (a till retrying) returns it unchanged.
    """
    ctx.require(Permission.SELL)
    tenders = _tenders(ctx, cmd.payments)
    expected = expected_minor(ctx, cmd.expected_total)
    with ctx.db.write() as conn:
        order = orders_db.order(orders_db.order_row(conn, order_id, for_update=True))
        if not rules.check_payable(order, orders_db.recorded_tenders(conn, order.id), tenders):
            return orders_db.order_info(conn, order.id, ctx.store.currency, replayed=True)
        pay_in(ctx, conn, order.id, tenders, expected)
        return orders_db.order_info(conn, order.id, ctx.store.currency)


def pay_in(
    ctx: Context,
    conn: Connection,
    order_id: int,
    tenders: list[Tender],
    expected: int | None = None,
    *,
    into_drawer: bool | None = None,
    to_kitchen: bool = True,
    made: list[Made] | None = None,
) -> None:
    """Draw the order's stock FEFO, price it on the lots drawn, record the payments, mark it paid,
    and give the kitchen what it has not had yet. `into_drawer`: whether cash goes in a drawer (by
    default, unless the sale is entered late from paper). `to_kitchen`: False for a sale made
    earlier whose food was already handed over (an order rung offline, sent when the server is back)."""
    now, today = ctx.now(), ctx.today()
    order = orders_db.order_row(conn, order_id)
    rows = orders_db.lines_for_pay(conn, order_id)
    made = made if made is not None else paid_lines(conn, rows)  # just placed: as it was made
    inputs = []
    for row, m in zip(rows, made, strict=True):
        marked = _draw_line(ctx, conn, order_id, row, m, today)
        line_discount = orders_db.discount_from(row.discount_kind, row.discount_value, row.discount_reason)
        inputs.append(LineInput(row.unit_price, row.quantity, line_discount, markdown=marked))
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
    for row, price in zip(rows, priced.lines, strict=True):
        if (row.markdown, row.discount, row.net) != (price.markdown, price.discount, price.net):
            orders_db.reprice_line(conn, row.id, price.markdown, price.discount, price.net)
    settled = settle(priced.total, tenders, ctx.money)
    business_date = current_business_date(conn, ctx.store.id, today)
    drawer_ok = ctx.entered_at is None if into_drawer is None else into_drawer
    took_cash = any(s.method is Method.CASH for s in settled) and drawer_ok
    drawer = drawers_db.drawer_for_sale(conn, ctx.store.id, ctx.actor) if took_cash else None
    orders_db.insert_payments(  # none for an order that comes to nothing
        conn,
        ctx.store.id,
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
    if to_kitchen:
        kitchen.send(ctx, conn, order_id, rows=rows, made=made, order=order)


def _draw_line(ctx: Context, conn: Connection, order_id: int, row: AnyRow, made: Made, today: dt.date) -> int:
    """Draw a line's ingredients FEFO (its modifiers applied); return its markdown in minor units."""
    drawn: dict[str, list[tuple[dt.date, int]]] = {}
    # A tin sold as it is comes whole and sealed from the shelf; a dish's ingredients (and a tin's
    # add-ons) may come from opened packs and in parts.
    sealed = made.sealed_sku
    for sku, needed in scale_recipe(made.recipe, row.quantity):
        try:
            taken = draw_in(
                ctx,
                conn,
                MovementKind.SELL,
                sku,
                needed,
                reference=f"order #{order_id}",
                order_line_id=row.id,
                whole_units=sku == sealed,
            )
        except InsufficientStock as exc:
            exc.message = f"{row.name}: {exc.message}"
            exc.args = (exc.message,)
            raise
        drawn.setdefault(sku, []).extend((d.effective_expiry, int(d.quantity * SCALE)) for d in taken.draws)
    return made.markdown(row.quantity, drawn, today)


def void_order(ctx: Context, order_id: int, cmd: VoidOrder) -> OrderInfo:
    """Void an unpaid order (a parked one too); it stays on record with its reason."""
    ctx.require(Permission.SELL)
    with ctx.db.write() as conn:
        order = orders_db.order(orders_db.order_row(conn, order_id, for_update=True))
        rules.void(order)
        day = current_business_date(conn, ctx.store.id, ctx.today())
        orders_db.mark_void(conn, order.id, ctx.now(), cmd.reason, day)
        kitchen.send(ctx, conn, order.id)  # anything the kitchen was making for it is cancelled
        return orders_db.order_info(conn, order.id, ctx.store.currency)


def recorded_under(ctx: Context, key: str) -> OrderInfo | None:
    """The order already recorded under a till's idempotency key, if any (a panel that was paid)."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        found = orders_db.order_by_key(conn, ctx.store.id, key)
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
