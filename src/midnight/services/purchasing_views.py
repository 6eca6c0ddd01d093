"""What the API and the CLI show of suppliers, purchase orders and receiving.

The purchasing services keep quantities in thousandths of the product's unit, as the database does;
what a person or program is shown says them in the unit, as exact decimals (`"36"`, `"0.125"`), as
every other answer does. Money stays integer minor units, with the store's currency beside it.
Nothing here reads the database: each function turns one service result into what is shown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from midnight.db.notify import Delivery
from midnight.db.paging import Page
from midnight.db.purchasing import OrderEvent, OrderHead, OrderLine, Receipt, SupplierInfo, SupplierProduct
from midnight.db.stock import LotInfo
from midnight.domain.money import cost_of
from midnight.domain.purchasing import CANCELLABLE, OrderState, order_number, weekday_names
from midnight.domain.quantity import parse_quantity, to_decimal
from midnight.services.purchase_orders import OrderDetail, Sent
from midnight.services.receiving import Finished, Taken
from midnight.services.suppliers import SupplierDetail

__all__ = ["OrderEvent"]


@dataclass(frozen=True)
class SupplierShown:
    id: int
    name: str
    delivery_days: list[str]  # mon ... sun
    lead_time_days: int
    minimum_order: int
    currency: str
    note: str
    language: str
    active: bool
    contacts: list[str]  # masked


@dataclass(frozen=True)
class SuppliedShown:
    """One product a supplier sells the shop, and on what terms."""

    sku: str
    name: str
    unit: str
    pack_size: Decimal
    unit_cost: int
    currency: str
    supplier_code: str


@dataclass(frozen=True)
class SupplierDetailShown:
    supplier: SupplierShown
    products: Page[SuppliedShown]


@dataclass(frozen=True)
class OrderSummary:
    id: int
    number: str  # PO-00012
    supplier_id: int
    supplier: str
    state: OrderState
    delivery_date: dt.date
    note: str
    created_at: dt.datetime
    created_by: str
    sent_at: dt.datetime | None
    closed_at: dt.datetime | None
    lines: int
    total: int
    currency: str

    @property
    def cancellable(self) -> bool:
        return self.state in CANCELLABLE


@dataclass(frozen=True)
class LineShown:
    sku: str
    name: str
    unit: str
    quantity: Decimal
    packs: int
    pack_size: Decimal
    unit_cost: int
    cost: int
    supplier_code: str
    suggested: Decimal | None
    received: Decimal

    @property
    def outstanding(self) -> Decimal:
        """What is still to come of this line (nothing once as much or more has come)."""
        return max(self.quantity - self.received, Decimal(0))

    @property
    def received_cost(self) -> int:
        """What has come of this line, at the order's unit cost (what the invoice should say)."""
        return cost_of(self.unit_cost, parse_quantity(self.received, allow_zero=True))


@dataclass(frozen=True)
class ReceiptShown:
    id: int
    sku: str
    name: str
    kind: str  # received, substitute, refused
    quantity: Decimal
    lot_id: int | None
    expiry_date: dt.date | None
    batch: str | None
    reason: str
    at: dt.datetime
    actor: str


@dataclass(frozen=True)
class OrderShown:
    order: OrderSummary
    lines: list[LineShown]
    events: list[OrderEvent]  # the latest 50, oldest first
    receipts: Page[ReceiptShown]  # the first 100
    warnings: list[str] = field(default_factory=list)  # to check with the supplier (its delivery day)

    @property
    def received_total(self) -> int:
        return sum(line.received_cost for line in self.lines)


@dataclass(frozen=True)
class SentShown:
    order: OrderShown
    messages: int  # queued in the outbox, one per supplier contact
    to: list[str]  # masked


@dataclass(frozen=True)
class TakenShown:
    order: OrderShown
    lot: LotInfo
    kind: str  # received or substitute
    line: LineShown | None
    warnings: list[str]
    complete: bool  # every line has come in full: finish receiving once the whole delivery is in


@dataclass(frozen=True)
class DeliveryShown:
    """One message an order was sent with, as the owner reads it: reached or not, and what to do."""

    to: str
    state: str
    said: str
    trouble: bool  # not delivered, or perhaps not: the supplier may not have the order


def delivery(found: Delivery) -> DeliveryShown:
    tries = f", tried {found.attempts} time{'s' if found.attempts != 1 else ''}" if found.attempts else ""
    # Apprise's reason comes as a log line ("2026-12-04 19:17:52,214 - WARNING - Connection error…")
    reason = re.sub(r"^\d{4}-\d\d-\d\d [\d:,.]+ - [A-Z]+ - ", "", found.error or "").strip()
    error = f" ({reason})" if reason else ""
    said, trouble = {
        "sent": ("delivered", False),
        "failed": (f"not delivered{error}: phone the order in, or correct the supplier's address", True),
        "uncertain": ("perhaps not delivered (the send was cut off): check with the supplier", True),
    }.get(found.state, (f"waiting to be sent{tries}{error}", bool(found.attempts)))
    return DeliveryShown(found.to, found.state, said, trouble)


@dataclass(frozen=True)
class DifferenceShown:
    sku: str
    name: str
    unit: str
    ordered: Decimal
    received: Decimal
    short: Decimal
    over: Decimal
    refused: Decimal  # sent back at the door


@dataclass(frozen=True)
class FinishedShown:
    order: OrderShown
    differences: list[DifferenceShown]


@dataclass(frozen=True)
class ServiceLevelShown:
    sku: str
    percent: Decimal | None  # None: from the product's margin


def supplier(info: SupplierInfo, currency: str) -> SupplierShown:
    return SupplierShown(
        info.id,
        info.name,
        weekday_names(info.delivery_days),
        info.lead_time_days,
        info.minimum_order,
        currency,
        info.note,
        info.language,
        info.active,
        list(info.contacts),
    )


def suppliers(found: Page[SupplierInfo], currency: str) -> Page[SupplierShown]:
    return Page([supplier(s, currency) for s in found.items], found.next_cursor)


def supplied(item: SupplierProduct, currency: str) -> SuppliedShown:
    return SuppliedShown(
        item.sku,
        item.name,
        item.unit,
        to_decimal(item.pack_size),
        item.unit_cost,
        currency,
        item.supplier_code,
    )


def supplier_detail(found: SupplierDetail, currency: str) -> SupplierDetailShown:
    return SupplierDetailShown(
        supplier(found.supplier, currency),
        Page([supplied(p, currency) for p in found.products.items], found.products.next_cursor),
    )


def summary(head: OrderHead, currency: str) -> OrderSummary:
    return OrderSummary(
        head.id,
        order_number(head.id),
        head.supplier_id,
        head.supplier,
        head.state,
        head.delivery_date,
        head.note,
        head.created_at,
        head.created_by,
        head.sent_at,
        head.closed_at,
        head.lines,
        head.total,
        currency,
    )


def orders(found: Page[OrderHead], currency: str) -> Page[OrderSummary]:
    return Page([summary(h, currency) for h in found.items], found.next_cursor)


def line(ln: OrderLine) -> LineShown:
    return LineShown(
        ln.sku,
        ln.name,
        ln.unit,
        to_decimal(ln.quantity),
        ln.quantity // ln.pack_size,
        to_decimal(ln.pack_size),
        ln.unit_cost,
        cost_of(ln.unit_cost, ln.quantity),
        ln.supplier_code,
        None if ln.suggested is None else to_decimal(ln.suggested),
        to_decimal(ln.received),
    )


def receipt(r: Receipt) -> ReceiptShown:
    return ReceiptShown(
        r.id,
        r.sku,
        r.name,
        r.kind,
        to_decimal(r.quantity),
        r.lot_id,
        r.expiry_date,
        r.batch,
        r.reason,
        r.at,
        r.actor,
    )


def order(found: OrderDetail, currency: str) -> OrderShown:
    return OrderShown(
        summary(found.head, currency),
        [line(ln) for ln in found.lines],
        list(found.events),
        Page([receipt(r) for r in found.receipts.items], found.receipts.next_cursor),
        list(found.warnings),
    )


def sent(found: Sent, currency: str) -> SentShown:
    return SentShown(order(found.order, currency), found.messages, list(found.to))


def taken(found: Taken, currency: str) -> TakenShown:
    return TakenShown(
        order(found.order, currency),
        found.received.lot,
        found.kind.value,
        None if found.line is None else line(found.line),
        list(found.warnings),
        found.complete,
    )


def finished(found: Finished, currency: str) -> FinishedShown:
    by_product = {ln.product_id: ln for ln in found.order.lines}
    differences = [
        DifferenceShown(
            by_product[d.product_id].sku,
            by_product[d.product_id].name,
            by_product[d.product_id].unit,
            to_decimal(d.ordered),
            to_decimal(d.received),
            to_decimal(d.short),
            to_decimal(d.over),
            to_decimal(d.refused),
        )
        for d in found.differences
    ]
    return FinishedShown(order(found.order, currency), differences)


def service_level(sku: str, thousandths: int | None) -> ServiceLevelShown:
    return ServiceLevelShown(sku, None if thousandths is None else Decimal(thousandths) / 10)
