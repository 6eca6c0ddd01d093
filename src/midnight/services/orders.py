"""The till's orders: place, pay, void, refund. Each is one unit of work, all or nothing.

Every order carries an idempotency key chosen by the till: the same key with the same request
returns the original order and writes nothing; with a different request it is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from midnight.db import repo
from midnight.db import tables as t
from midnight.domain.errors import Conflict, InsufficientStock, InvalidInput, NotFound
from midnight.domain.menu import Markdown, RecipeLine, markdown_amount, scale_recipe
from midnight.domain.money import format_money, parse_money
from midnight.domain.people import Permission
from midnight.domain.pricing import (
    Discount,
    DiscountKind,
    LineInput,
    Method,
    Tender,
    parse_discount,
    price_order,
    round_half_up,
    settle,
)
from midnight.domain.quantity import parse_quantity, to_decimal
from midnight.services.context import Context
from midnight.services.menu import markdown_of, menu_items, recipes
from midnight.services.orderviews import OrderInfo, order_id_of, order_info
from midnight.services.stock import draw_in

MAX_LINES = 200


@dataclass(frozen=True)
class LineRequest:
    code: str
    quantity: str | int | Decimal = 1
    note: str = ""
    discount: str | None = None
    discount_reason: str | None = None


@dataclass(frozen=True)
class _Line:
    code: str
    milli: int
    note: str
    discount: Discount | None


def _discount_columns(discount: Discount | None) -> dict[str, object]:
    if discount is None:
        return {"discount_kind": None, "discount_value": None, "discount_reason": None}
    value = int(discount.value * 100) if discount.kind is DiscountKind.PERCENT else int(discount.value)
    return {"discount_kind": discount.kind.value, "discount_value": value, "discount_reason": discount.reason}


def _discount_from(kind: str | None, value: int | None, reason: str | None) -> Discount | None:
    if kind is None or value is None:
        return None
    k = DiscountKind(kind)
    return Discount(k, Decimal(value) / 100 if k is DiscountKind.PERCENT else Decimal(value), reason or "")


def _note(text: str | None, field: str = "note") -> str:
    clean = (text or "").strip()
    if len(clean) > 500:
        raise InvalidInput(f"{field} must be at most 500 characters", field=field)
    return clean


def _tenders(payments: list[tuple[str, str | int | Decimal]] | None, currency: str) -> list[Tender]:
    return [
        Tender(Method.parse(m), parse_money(a, currency, field=f"{m} payment")) for m, a in payments or []
    ]


def _fingerprint(lines: list[_Line], discount: Discount | None, note: str, tenders: list[Tender]) -> str:
    """A stable digest of what was asked, to tell a retry from a different order under the same key."""
    body = {
        "lines": [[ln.code, ln.milli, ln.note, _discount_columns(ln.discount)] for ln in lines],
        "discount": _discount_columns(discount),
        "note": note,
        "payments": [[tender.method.value, tender.amount] for tender in tenders],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _check_key(key: str) -> str:
    clean = str(key or "").strip()
    if not clean or len(clean) > 128 or not clean.isprintable():
        raise InvalidInput("idempotency key must be 1-128 printable characters", field="idempotency_key")
    return clean


def place_order(
    ctx: Context,
    key: str,
    lines: list[LineRequest],
    *,
    discount: str | None = None,
    discount_reason: str | None = None,
    note: str | None = None,
    payments: list[tuple[str, str | int | Decimal]] | None = None,
) -> OrderInfo:
    """Open an order (and, given payments, pay it in the same transaction)."""
    ctx.require(Permission.SELL)
    idem = _check_key(key)
    currency = ctx.store.currency
    if not lines:
        raise InvalidInput("an order needs at least one line", field="lines")
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"an order may have at most {MAX_LINES} lines", field="lines")
    parsed = [
        _Line(
            str(line.code).strip().upper(),
            parse_quantity(line.quantity, field=f"quantity of line {n}"),
            _note(line.note, f"note of line {n}"),
            parse_discount(line.discount, line.discount_reason, currency, field=f"discount of line {n}")
            if line.discount
            else None,
        )
        for n, line in enumerate(lines, start=1)
    ]
    order_discount = parse_discount(discount, discount_reason, currency) if discount else None
    text = _note(note)
    tenders = _tenders(payments, currency)
    digest = _fingerprint(parsed, order_discount, text, tenders)
    try:
        with ctx.db.write() as conn:
            existing = _replay(conn, idem, digest)
            if existing is not None:
                return order_info(ctx, conn, existing, replayed=True)
            order_id = _insert_order(ctx, conn, idem, digest, parsed, order_discount, text)
            if tenders:
                _pay(ctx, conn, order_id, tenders)
            return order_info(ctx, conn, order_id)
    except IntegrityError:
        # Another till committed the same key between our check and our insert (PostgreSQL).
        with ctx.db.read() as conn:
            existing = _replay(conn, idem, digest)
            if existing is None:
                raise
            return order_info(ctx, conn, existing, replayed=True)


# Statements run on every order are built once (building costs more than running them).
_BY_KEY = select(t.orders.c.id, t.orders.c.request_hash).where(t.orders.c.idempotency_key == bindparam("key"))
_ORDER = select(t.orders).where(t.orders.c.id == bindparam("order_id"))
_INSERT_ORDER = insert(t.orders)
_INSERT_LINES = insert(t.order_lines)
_INSERT_PAYMENT = insert(t.payments)
_REPRICE_LINE = (
    update(t.order_lines)
    .where(t.order_lines.c.id == bindparam("line_id"))
    .values(markdown=bindparam("markdown"), discount=bindparam("discount"), net=bindparam("net"))
)
_MARK_PAID = (
    update(t.orders)
    .where(t.orders.c.id == bindparam("order_id"))
    .values(
        state="paid",
        paid_at=bindparam("paid_at"),
        business_date=bindparam("day"),
        gross=bindparam("gross"),
        markdowns=bindparam("markdowns"),
        line_discounts=bindparam("line_discounts"),
        order_discount=bindparam("order_discount_"),
        total=bindparam("total"),
    )
)
_CLOSED_FROM = select(t.day_closes.c.business_date).where(
    t.day_closes.c.store_id == bindparam("store"), t.day_closes.c.business_date >= bindparam("today")
)


def _replay(conn: Connection, key: str, digest: str) -> int | None:
    row = conn.execute(_BY_KEY, {"key": key}).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict(
            f"idempotency key {key!r} was already used for a different order (#{row.id})",
            field="idempotency_key",
        )
    return int(row.id)


def _insert_order(
    ctx: Context,
    conn: Connection,
    key: str,
    digest: str,
    lines: list[_Line],
    discount: Discount | None,
    note: str,
) -> int:
    now = ctx.now()
    by_code = menu_items(conn, [line.code for line in lines], now)
    items = [by_code[line.code] for line in lines]
    priced = price_order(
        [LineInput(item.price, line.milli, line.discount) for item, line in zip(items, lines, strict=True)],
        discount,
    )
    order_id = conn.execute(
        _INSERT_ORDER,
        {
            "store_id": ctx.store.id,
            "idempotency_key": key,
            "request_hash": digest,
            "state": "open",
            "created_at": now,
            "actor": ctx.actor,
            "note": note,
            "gross": priced.gross,
            "markdowns": priced.markdowns,
            "line_discounts": priced.line_discounts,
            "order_discount": priced.order_discount,
            "total": priced.total,
            **_discount_columns(discount),
        },
    ).inserted_primary_key[0]  # type: ignore[index]
    conn.execute(
        _INSERT_LINES,
        [
            {
                "order_id": order_id,
                "line_no": n,
                "menu_item_id": item.id,
                "name": item.name,
                "quantity": line.milli,
                "unit_price": item.price,
                "note": line.note,
                "gross": price.gross,
                "markdown": price.markdown,
                "discount": price.discount,
                "net": price.net,
                **_discount_columns(line.discount),
            }
            for n, (item, line, price) in enumerate(zip(items, lines, priced.lines, strict=True), start=1)
        ],
    )
    return int(order_id)


def pay_order(
    ctx: Context, order_id: int | str, payments: list[tuple[str, str | int | Decimal]]
) -> OrderInfo:
    """Pay an open order: draw every ingredient FEFO, record the payments, mark it paid — or nothing.

    Paying a paid order again with the same payments (a till retrying) returns it unchanged.
    """
    ctx.require(Permission.SELL)
    tenders = _tenders(payments, ctx.store.currency)
    if not tenders:
        raise InvalidInput("give at least one payment (--cash, --card or --other)", field="payments")
    with ctx.db.write() as conn:
        order = _order_row(conn, order_id, for_update=True)
        if order.state != "open":
            if order.state != "void" and _recorded_tenders(conn, order.id) == tenders:
                return order_info(ctx, conn, order.id, replayed=True)
            raise Conflict(f"order #{order.id} is {order.state}, not open", field="order")
        _pay(ctx, conn, order.id, tenders)
        return order_info(ctx, conn, order.id)


def _recorded_tenders(conn: Connection, order_id: int) -> list[Tender]:
    rows = conn.execute(
        select(t.payments.c.method, t.payments.c.tendered)
        .where(t.payments.c.order_id == order_id)
        .order_by(t.payments.c.id)
    )
    return [Tender(Method(m), amount) for m, amount in rows]


def _order_row(conn: Connection, order_id: int | str, *, for_update: bool = False) -> Row[Any]:
    key = order_id_of(order_id)
    query = _ORDER.with_for_update() if for_update and conn.dialect.name != "sqlite" else _ORDER
    row = conn.execute(query, {"order_id": key}).first()
    if row is None:
        raise NotFound(f"no order #{key}", field="order")
    return row


def current_business_date(conn: Connection, store_id: int, today: dt.date) -> dt.date:
    """Today, unless today is already closed: then sales count on the next open day."""
    closed = set(conn.execute(_CLOSED_FROM, {"store": store_id, "today": today}).scalars())
    day = today
    while day in closed:
        day += dt.timedelta(days=1)
    return day


def _pay(ctx: Context, conn: Connection, order_id: int, tenders: list[Tender]) -> None:
    now, today = ctx.now(), ctx.today()
    order = _order_row(conn, order_id)
    lines = conn.execute(_ORDER_LINES_FOR_PAY, {"order_id": order_id}).all()
    recipe = recipes(conn, sorted({line.menu_item_id for line in lines}))
    inputs = []
    for line in lines:
        marked = _draw_line(ctx, conn, order_id, line, recipe[line.menu_item_id], markdown_of(line), today)
        inputs.append(
            LineInput(
                line.unit_price,
                line.quantity,
                _discount_from(line.discount_kind, line.discount_value, line.discount_reason),
                markdown=marked,
            )
        )
    priced = price_order(
        inputs, _discount_from(order.discount_kind, order.discount_value, order.discount_reason)
    )
    for line, price in zip(lines, priced.lines, strict=True):
        if (line.markdown, line.discount, line.net) != (price.markdown, price.discount, price.net):
            conn.execute(
                _REPRICE_LINE,
                {
                    "line_id": line.id,
                    "markdown": price.markdown,
                    "discount": price.discount,
                    "net": price.net,
                },
            )
    store = ctx.store
    settled = settle(priced.total, tenders, lambda minor: format_money(minor, store.currency, store.locale))
    business_date = current_business_date(conn, store.id, today)
    for s in settled:
        conn.execute(
            _INSERT_PAYMENT,
            {
                "order_id": order_id,
                "method": s.method.value,
                "tendered": s.tendered,
                "applied": s.applied,
                "change": s.change,
                "at": now,
                "business_date": business_date,
                "actor": ctx.actor,
            },
        )
    conn.execute(
        _MARK_PAID,
        {
            "order_id": order_id,
            "paid_at": now,
            "day": business_date,
            "gross": priced.gross,
            "markdowns": priced.markdowns,
            "line_discounts": priced.line_discounts,
            "order_discount_": priced.order_discount,
            "total": priced.total,
        },
    )


_ORDER_LINES_FOR_PAY = (
    select(t.order_lines, t.menu_items.c.markdown_days, t.menu_items.c.markdown_bp)
    .join(t.menu_items, t.menu_items.c.id == t.order_lines.c.menu_item_id)
    .where(t.order_lines.c.order_id == bindparam("order_id"))
    .order_by(t.order_lines.c.line_no)
)


def _draw_line(
    ctx: Context,
    conn: Connection,
    order_id: int,
    line: Row[Any],
    recipe: list[RecipeLine],
    markdown: Markdown | None,
    today: dt.date,
) -> int:
    """Draw a line's ingredients FEFO; return its markdown in minor units."""
    marked_down = 0
    for sku, needed in scale_recipe(recipe, line.quantity):
        try:
            drawn = draw_in(
                ctx, conn, "sell", sku, needed, reference=f"order #{order_id}", order_line_id=line.id
            )
        except InsufficientStock as exc:
            exc.message = f"{line.name}: {exc.message}"
            exc.args = (exc.message,)
            raise
        if markdown is not None:
            marked_down += sum(
                int(d.quantity * 1000) for d in drawn.draws if markdown.applies(d.effective_expiry, today)
            )
    if markdown is None or not marked_down:
        return 0
    amount = markdown_amount(line.unit_price, recipe[0].milli, marked_down, markdown.percent)
    return min(amount, round_half_up(Decimal(line.unit_price) * line.quantity / 1000))


def void_order(ctx: Context, order_id: int | str, reason: str | None) -> OrderInfo:
    """Void an unpaid order; it stays on record with its reason."""
    ctx.require(Permission.SELL)
    why = _note(reason, "reason")
    if not why:
        raise InvalidInput("a void needs a reason", field="reason")
    with ctx.db.write() as conn:
        order = _order_row(conn, order_id, for_update=True)
        if order.state != "open":
            raise Conflict(
                f"order #{order.id} is {order.state}: only an open order can be voided", field="order"
            )
        conn.execute(
            update(t.orders)
            .where(t.orders.c.id == order.id)
            .values(
                state="void",
                voided_at=ctx.now(),
                void_reason=why,
                business_date=current_business_date(conn, ctx.store.id, ctx.today()),
            )
        )
        return order_info(ctx, conn, order.id)


def refund_order(
    ctx: Context,
    order_id: int | str,
    *,
    lines: list[tuple[int, str | int | Decimal]] | None = None,
    method: str | None = None,
    reason: str | None = None,
) -> OrderInfo:
    """Refund a whole paid order or some of its lines, to a payment method, with a reason.

    Restockable items go back to the lots they came from; others are written off as waste.
    """
    ctx.require(Permission.REFUND)
    why = _note(reason, "reason")
    if not why:
        raise InvalidInput("a refund needs a reason", field="reason")
    with ctx.db.write() as conn:
        order = _order_row(conn, order_id, for_update=True)
        if order.state not in ("paid", "partly_refunded"):
            raise Conflict(
                f"order #{order.id} is {order.state}: only a paid order can be refunded", field="order"
            )
        rows = conn.execute(
            select(t.order_lines, t.menu_items.c.restockable)
            .join(t.menu_items, t.menu_items.c.id == t.order_lines.c.menu_item_id)
            .where(t.order_lines.c.order_id == order.id)
            .order_by(t.order_lines.c.line_no)
        ).all()
        refunded = _refunded_quantities(conn, order.id)
        remaining = {r.line_no: r.quantity - refunded.get(r.id, 0) for r in rows}
        wanted = _refund_lines(lines, remaining)
        pay_method = _refund_method(conn, order.id, method)
        already = int(
            conn.execute(
                select(func.coalesce(func.sum(t.refunds.c.amount), 0)).where(t.refunds.c.order_id == order.id)
            ).scalar_one()
        )
        everything = all(wanted.get(no, 0) == left for no, left in remaining.items())
        nets = sum(r.net for r in rows)
        if everything:
            amount = order.total - already
        else:
            by_no = {r.line_no: r for r in rows}
            amount = sum(
                round_half_up(Decimal(order.total) * by_no[no].net * q / (by_no[no].quantity * nets))
                if nets
                else 0
                for no, q in wanted.items()
            )
            amount = min(amount, order.total - already)
        now = ctx.now()
        refund_id = conn.execute(
            insert(t.refunds).values(
                order_id=order.id,
                method=pay_method.value,
                amount=amount,
                reason=why,
                at=now,
                business_date=current_business_date(conn, ctx.store.id, ctx.today()),
                actor=ctx.actor,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        for row in rows:
            q = wanted.get(row.line_no)
            if not q:
                continue
            conn.execute(insert(t.refund_lines).values(refund_id=refund_id, order_line_id=row.id, quantity=q))
            _return_stock(ctx, conn, row, q, int(refund_id), restock=row.restockable)
        conn.execute(
            update(t.orders)
            .where(t.orders.c.id == order.id)
            .values(state="refunded" if everything else "partly_refunded")
        )
        return order_info(ctx, conn, order.id)


def _refunded_quantities(conn: Connection, order_id: int) -> dict[int, int]:
    return {
        line_id: int(q)
        for line_id, q in conn.execute(
            select(t.refund_lines.c.order_line_id, func.sum(t.refund_lines.c.quantity))
            .join(t.refunds, t.refunds.c.id == t.refund_lines.c.refund_id)
            .where(t.refunds.c.order_id == order_id)
            .group_by(t.refund_lines.c.order_line_id)
        )
    }


def _refund_lines(
    lines: list[tuple[int, str | int | Decimal]] | None, remaining: dict[int, int]
) -> dict[int, int]:
    if not lines:
        rest = {no: left for no, left in remaining.items() if left > 0}
        if not rest:
            raise Conflict("everything on this order was already refunded", field="lines")
        return rest
    wanted: dict[int, int] = {}
    for no, quantity in lines:
        if no not in remaining:
            raise InvalidInput(f"the order has no line {no}", field="lines")
        milli = parse_quantity(quantity, field=f"refund quantity of line {no}")
        wanted[no] = wanted.get(no, 0) + milli
        if wanted[no] > remaining[no]:
            raise Conflict(
                f"line {no}: only {to_decimal(remaining[no])} left to refund, asked for {to_decimal(wanted[no])}",
                field="lines",
            )
    return wanted


def _refund_method(conn: Connection, order_id: int, method: str | None) -> Method:
    if method:
        return Method.parse(method)
    used = {
        Method(m)
        for m in conn.execute(select(t.payments.c.method).where(t.payments.c.order_id == order_id)).scalars()
    }
    if len(used) == 1:
        return used.pop()
    names = " and ".join(sorted(m.value for m in used)) or "nothing"
    raise InvalidInput(f"the order was paid by {names}: say which method to refund to", field="method")


def _return_stock(
    ctx: Context, conn: Connection, line: Row[Any], quantity: int, refund_id: int, *, restock: bool
) -> None:
    """Give back the stock of `quantity` units of a line, to the lots it was drawn from, latest first."""
    m = t.movements.c
    drawn = conn.execute(
        select(m.lot_id, m.product_id, m.unit_cost, func.sum(m.quantity).label("net"))
        .where(m.order_line_id == line.id, m.kind == "sell")
        .group_by(m.lot_id, m.product_id, m.unit_cost)
        .order_by(func.max(m.id).desc())
    ).all()
    per_product: dict[int, list] = {}  # type: ignore[type-arg]
    for row in drawn:
        per_product.setdefault(row.product_id, []).append(row)
    now = ctx.now()
    # This refund's lines are already recorded: if nothing of the line is left out, give back all.
    last = _refunded_quantities(conn, line.order_id).get(line.id, 0) >= line.quantity
    for product_id, lots in per_product.items():
        out = -sum(int(r.net) for r in lots)  # still with the customer, for this line
        drawn_first = -int(
            conn.execute(
                select(func.sum(m.quantity)).where(
                    m.order_line_id == line.id, m.product_id == product_id, m.refund_id.is_(None)
                )
            ).scalar_one()
        )
        give = out if last else min(out, round_half_up(Decimal(drawn_first) * quantity / line.quantity))
        for lot in lots:
            if give <= 0:
                break
            back = min(give, -int(lot.net))
            if back <= 0:
                continue
            give -= back
            common = {
                "reason": "refund",
                "reference": f"order #{line.order_id}",
                "order_line_id": line.id,
                "refund_id": refund_id,
            }
            repo.record(
                conn,
                repo.NewMovement("sell", lot.lot_id, product_id, back, lot.unit_cost, now, **common),
                actor=ctx.actor,
                recorded_at=now,
            )
            if not restock:
                repo.record(
                    conn,
                    repo.NewMovement("waste", lot.lot_id, product_id, -back, lot.unit_cost, now, **common),
                    actor=ctx.actor,
                    recorded_at=now,
                )
