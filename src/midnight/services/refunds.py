"""Refunds: money back the way an order was paid, goods back on the shelf or written off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Connection

from midnight.commands.till import RefundOrder
from midnight.db import drawers as drawers_db
from midnight.db import orders as orders_db
from midnight.db import stock as stock_db
from midnight.db.orders import OrderInfo
from midnight.db.types import AnyRow
from midnight.domain import order as rules
from midnight.domain.errors import InvalidInput
from midnight.domain.lot import Movement, MovementKind
from midnight.domain.people import Permission
from midnight.domain.pricing import Method, Way, round_half_up
from midnight.domain.text import fold
from midnight.services.context import Context
from midnight.services.days import current_business_date


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
