"""Purchase orders: a draft written by hand or from the suggestions, sent to the supplier through the
outbox (with the order as a CSV file), received against, finished or cancelled.

Every step appends to the order's history (who, when, what). Writing the owner's message and the CSV
happens before the write transaction that sends; delivery is the outbox worker's, later, as for holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import Connection

from midnight.commands import Command
from midnight.commands.catalog import PageQuery
from midnight.commands.purchasing import (
    MAX_CONTACTS,
    CancelOrder,
    EditPurchaseOrder,
    NewPurchaseOrder,
    OrderQuery,
)
from midnight.db import catalog as catalog_db
from midnight.db import notify as notify_db
from midnight.db import purchasing as db
from midnight.db.notify import Delivery
from midnight.db.paging import Page
from midnight.db.purchasing import OrderEvent, OrderHead, OrderLine, Receipt
from midnight.domain import purchasing as rules
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.messages import Event
from midnight.domain.money import cost_of
from midnight.domain.money import to_decimal as money_decimal
from midnight.domain.people import Permission
from midnight.domain.product import Product
from midnight.domain.purchasing import MAX_LINES, OrderAction, OrderState, order_number
from midnight.domain.quantity import format_quantity, to_decimal
from midnight.domain.text import spreadsheet_cell
from midnight.services import notify
from midnight.services.context import Context

__all__ = ["OrderEvent", "OrderHead", "OrderLine", "Receipt"]

HISTORY_SHOWN = 50
RECEIPTS_SHOWN = 100


@dataclass(frozen=True)
class OrderDetail:
    head: OrderHead
    lines: list[OrderLine]
    events: list[OrderEvent]
    receipts: Page[Receipt]
    warnings: tuple[str, ...] = ()  # what to check with the supplier (a delivery day they don't deliver)

    @property
    def number(self) -> str:
        return order_number(self.head.id)


@dataclass(frozen=True)
class Sent:
    order: OrderDetail
    messages: int  # queued in the outbox, one per supplier contact
    to: list[str]  # the addresses, masked


def detail(conn: Connection, order_id: int) -> OrderDetail:
    return OrderDetail(
        db.order_head(conn, order_id),
        db.lines(conn, order_id),
        db.events(conn, order_id, HISTORY_SHOWN),
        db.receipts(conn, order_id, cursor=None, limit=RECEIPTS_SHOWN),
    )


@dataclass(frozen=True)
class _Wanted:
    sku: str
    quantity: int  # thousandths
    suggested: int | None
    index: int  # its place in the request, from 1 (as the command parser numbers lines), for the field


def _product(conn: Connection, code: str, index: int) -> Product:
    """The product a line names; not found said on that line's field, so a form can point at it."""
    try:
        return catalog_db.product_by_code(conn, code)
    except (NotFound, InvalidInput) as exc:  # no such SKU; a barcode with a wrong check digit
        raise type(exc)(exc.message, field=f"lines.{index}.sku") from None


def _set_lines(
    conn: Connection, order_id: int, supplier_id: int, supplier: str, wanted: list[_Wanted]
) -> list[str]:
    """Write lines (each at the supplier's pack, cost and code as they now stand); what changed."""
    seen: set[int] = set()
    changed = []
    for line in wanted:
        product = _product(conn, line.sku, line.index)
        if product.id in seen:
            raise InvalidInput(
                f"{product.sku} is on the order twice: give it once", field=f"lines.{line.index}.sku"
            )
        seen.add(product.id)
        item = db.supplier_product(conn, supplier_id, product.id)
        if item is None:
            raise InvalidInput(
                f"{supplier} does not sell {product.sku} to the shop: add it to their list first",
                field=f"lines.{line.index}.sku",
            )
        rules.check_packs(line.quantity, item.pack_size, product.sku, field=f"lines.{line.index}.quantity")
        db.set_line(conn, order_id, item, line.quantity, line.suggested)
        changed.append(f"{format_quantity(line.quantity)} {product.sku}")
    if db.line_count(conn, order_id) > MAX_LINES:
        raise InvalidInput(f"an order holds at most {MAX_LINES} lines", field="lines")
    return changed


def request_digest(kind: str, cmd: Command) -> str:
    """What was asked, as kept with an idempotency key: the request without its key."""
    body = cmd.model_dump_json(exclude={"key"})
    return hashlib.sha256(f"{kind}\n{body}".encode()).hexdigest()


def replayed(conn: Connection, key: str | None, digest: str) -> OrderDetail | None:
    """The order this key already made for this very request (another request under it: 409)."""
    earlier = None if key is None else db.order_by_key(conn, key, digest)
    return None if earlier is None else detail(conn, earlier)


def new_order(
    ctx: Context,
    cmd: NewPurchaseOrder,
    *,
    suggested: Mapping[str, int] | None = None,
    request_hash: str | None = None,
) -> OrderDetail:
    """A draft order for a supplier, for its next delivery day unless another is given.

    `suggested` (SKU: thousandths) and `request_hash` are for a draft made from the suggestions: what
    each line's suggestion said, and the accepted request its key is kept with."""
    ctx.require(Permission.PURCHASE)
    today = ctx.today()
    digest = request_hash or request_digest("new", cmd)
    with ctx.db.write() as conn:
        if (earlier := replayed(conn, cmd.key, digest)) is not None:
            return earlier
        supplier_id = db.supplier_id_by_name(conn, cmd.supplier)
        supplier = db.supplier(conn, supplier_id)
        if not supplier.active:
            raise Conflict(
                f"{supplier.name} is no longer ordered from (make them active again first)", field="supplier"
            )
        day = cmd.delivery_date or rules.next_delivery(supplier.delivery_days, supplier.lead_time_days, today)
        if day < today:
            raise InvalidInput(f"the delivery date {day} is in the past", field="delivery_date")
        order_id = db.insert_order(
            conn,
            supplier_id=supplier_id,
            delivery_date=day,
            note=cmd.note,
            actor=ctx.actor,
            now=ctx.now(),
            key=cmd.key,
            request_hash=digest,
        )
        said = suggested or {}
        wanted = [
            _Wanted(ln.sku, ln.quantity, said.get(ln.sku), n) for n, ln in enumerate(cmd.lines, start=1)
        ]
        changed = _set_lines(conn, order_id, supplier_id, supplier.name, wanted)
        db.record_event(
            conn,
            order_id,
            OrderAction.CREATED,
            f"for {day}: " + (", ".join(changed) or "no lines yet"),
            actor=ctx.actor,
            at=ctx.now(),
        )
        return _checked(detail(conn, order_id), supplier, today)


def edit_order(ctx: Context, order_id: int, cmd: EditPurchaseOrder) -> OrderDetail:
    ctx.require(Permission.PURCHASE)
    today = ctx.today()
    with ctx.db.write() as conn:
        state, supplier_id = db.order_state(conn, order_id, for_update=True)
        rules.check_editable(state)
        supplier = db.supplier(conn, supplier_id)
        changes = []
        kept = []
        seen: set[int] = set()
        for i, line in enumerate(cmd.lines, start=1):
            product = _product(conn, line.sku, i)
            if product.id in seen:  # "12, then 0" is as unclear as "12, then 18"
                raise InvalidInput(
                    f"{product.sku} is on the order twice: give it once", field=f"lines.{i}.sku"
                )
            seen.add(product.id)
            existing = db.line_for(conn, order_id, product.id)
            if line.quantity == 0:
                if existing is None:
                    raise InvalidInput(f"{product.sku} is not on the order", field=f"lines.{i}.sku")
                db.remove_line(conn, order_id, product.id)
                changes.append(f"removed {product.sku}")
            elif existing is None or existing.quantity != line.quantity:
                # a quantity typed over a suggestion's keeps what was suggested, for "suggested vs ordered"
                kept.append(_Wanted(line.sku, line.quantity, existing.suggested if existing else None, i))
        changes += _set_lines(conn, order_id, supplier_id, supplier.name, kept)
        if cmd.delivery_date is not None or cmd.note is not None:
            head = db.order_head(conn, order_id)
            day = cmd.delivery_date or head.delivery_date
            note = head.note if cmd.note is None else cmd.note
            if day != head.delivery_date and day < today:
                raise InvalidInput(f"the delivery date {day} is in the past", field="delivery_date")
            if (day, note) != (head.delivery_date, head.note):
                db.set_delivery(conn, order_id, day, note)
                if day != head.delivery_date:
                    changes.append(f"delivery {day}")
                if note != head.note:
                    changes.append("note")
        if changes:
            db.record_event(
                conn, order_id, OrderAction.EDITED, ", ".join(changes), actor=ctx.actor, at=ctx.now()
            )
        found = detail(conn, order_id)
        return _checked(found, supplier, today) if cmd.delivery_date is not None else found


def _checked(order: OrderDetail, supplier: db.SupplierInfo, today: dt.date) -> OrderDetail:
    """The order, with a warning if its delivery date is not one the supplier can deliver on."""
    said = rules.delivery_warning(
        supplier.delivery_days, supplier.lead_time_days, order.head.delivery_date, today
    )
    return replace(order, warnings=(said,)) if said else order


def order_detail(ctx: Context, order_id: int) -> OrderDetail:
    ctx.require(Permission.RECEIVE)
    with ctx.db.read() as conn:
        return detail(conn, order_id)


def order_receipts(ctx: Context, order_id: int, query: PageQuery) -> Page[Receipt]:
    """Everything scanned against an order, in the order it was scanned (the detail shows the first
    RECEIPTS_SHOWN; this pages on past them)."""
    ctx.require(Permission.RECEIVE)
    with ctx.db.read() as conn:
        db.order_state(conn, order_id)  # an order that does not exist is not found, not empty
        return db.receipts(conn, order_id, cursor=query.cursor, limit=query.limit)


def list_orders(ctx: Context, query: OrderQuery) -> Page[OrderHead]:
    ctx.require(Permission.RECEIVE)
    state = OrderState.parse(query.state) if query.state else None
    with ctx.db.read() as conn:
        supplier_id = db.supplier_id_by_name(conn, query.supplier) if query.supplier else None
        return db.orders(conn, state=state, supplier_id=supplier_id, cursor=query.cursor, limit=query.limit)


def csv_text(order: OrderDetail, currency: str) -> str:
    """The order as the supplier's spreadsheet wants it: one row a line, quantities and money exact."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "order",
            "delivery_date",
            "supplier_code",
            "sku",
            "product",
            "quantity",
            "unit",
            "packs",
            "pack_size",
            "unit_cost",
            "line_cost",
            "currency",
        ]
    )
    for line in order.lines:
        writer.writerow(
            [
                spreadsheet_cell(cell)
                for cell in (
                    order.number,
                    order.head.delivery_date.isoformat(),
                    line.supplier_code,
                    line.sku,
                    line.name,
                    format_quantity(line.quantity),
                    line.unit,
                    line.quantity // line.pack_size,
                    format_quantity(line.pack_size),
                    _plain_money(line.unit_cost, currency),
                    _plain_money(cost_of(line.unit_cost, line.quantity), currency),
                    currency,
                )
            ]
        )
    return out.getvalue()


def _plain_money(minor: int, currency: str) -> str:
    return str(money_decimal(minor, currency))


def order_csv(ctx: Context, order_id: int) -> tuple[str, str]:
    """(file name, CSV text) of an order."""
    order = order_detail(ctx, order_id)
    return f"{order.number}.csv", csv_text(order, ctx.store.currency)


def send_order(ctx: Context, order_id: int) -> Sent:
    """Send a draft: to each of the supplier's contacts through the outbox, with the order attached.

    A supplier with no contact address can still be sent to (by phone, on paper): the order is marked
    sent and nothing is queued. The minimum order is checked here, where it matters."""
    ctx.require(Permission.PURCHASE)
    with ctx.db.read() as conn:
        order = detail(conn, order_id)
        rules.check_send(order.head.state, len(order.lines))
        supplier = db.supplier(conn, order.head.supplier_id)
        addresses = db.sealed_contacts(conn, supplier.id)
    rules.check_minimum(
        order.head.total,
        supplier.minimum_order,
        ctx.money(order.head.total),
        ctx.money(supplier.minimum_order),
    )
    message = notify.prepare(ctx, Event.PURCHASE_ORDER, supplier.language, _message_context(ctx, order))
    attachment = (f"{order.number}.csv", csv_text(order, ctx.store.currency))
    outgoing = notify.sealed(ctx, addresses, message, attachment)
    now = ctx.now()
    with ctx.db.write() as conn:
        state, _ = db.order_state(conn, order_id, for_update=True)
        rules.check_send(state, db.line_count(conn, order_id))
        # the message was written from `order` and `supplier` as read: refuse if either changed since
        now_head = db.order_head(conn, order_id)
        if (
            db.lines(conn, order_id) != order.lines
            or (now_head.delivery_date, now_head.note) != (order.head.delivery_date, order.head.note)
            or db.supplier(conn, supplier.id) != supplier
        ):
            raise Conflict("the order changed while it was being sent: look at it again and send it")
        db.set_state(conn, order_id, OrderState.SENT, sent_at=now)
        queued = notify.enqueue(ctx, conn, f"purchase-order:{order_id}", Event.PURCHASE_ORDER, outgoing)
        to = ", ".join(display for _, display in addresses) or "no address: by phone or on paper"
        detail_text = f"to {to}" + (f" ({message.fallback})" if message.fallback else "")
        db.record_event(conn, order_id, OrderAction.SENT, detail_text, actor=ctx.actor, at=now)
        return Sent(detail(conn, order_id), queued, [display for _, display in addresses])


def deliveries(ctx: Context, order_id: int) -> list[Delivery]:
    """Whether the supplier was reached: each message the order was sent with, and its state
    (pending and retrying, sent, failed with why)."""
    ctx.require(Permission.PURCHASE)
    with ctx.db.read() as conn:
        db.order_state(conn, order_id)  # a missing order is a 404, not an empty list
        return notify_db.messages_for(conn, f"purchase-order:{order_id}", MAX_CONTACTS * 2)


def _message_context(ctx: Context, order: OrderDetail) -> dict[str, object]:
    return {
        "store": ctx.store.name,
        "supplier": order.head.supplier,
        "number": order.number,
        "delivery_date": order.head.delivery_date.isoformat(),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "supplier_code": line.supplier_code,
                "quantity": to_decimal(line.quantity),
                "unit": line.unit,
                "packs": line.quantity // line.pack_size,
                "pack_size": to_decimal(line.pack_size),
                "unit_cost": ctx.money(line.unit_cost),
                "cost": ctx.money(cost_of(line.unit_cost, line.quantity)),
            }
            for line in order.lines
        ],
        "total": ctx.money(order.head.total),
        "note": order.head.note,
    }


def cancel_order(ctx: Context, order_id: int, cmd: CancelOrder) -> OrderDetail:
    ctx.require(Permission.PURCHASE)
    now = ctx.now()
    with ctx.db.write() as conn:
        state, _ = db.order_state(conn, order_id, for_update=True)
        rules.check_cancel(state)
        db.set_state(conn, order_id, OrderState.CANCELLED, closed_at=now)
        db.record_event(conn, order_id, OrderAction.CANCELLED, cmd.reason, actor=ctx.actor, at=now)
        return detail(conn, order_id)
