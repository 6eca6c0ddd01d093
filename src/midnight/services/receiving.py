"""Receiving a delivery against a purchase order, scan by scan.

A GS1-128 / DataMatrix scan (read by adapters/gs1, i.e. biip) names the product by its GTIN and
carries the maker's batch (AI 10) and date (AI 17 expiry, AI 15 best before): one scan fills the lot.
A plain EAN or SKU names the product; its date is typed, or comes from its shelf life. Each scan taken
in becomes a lot through the same receiving as any delivery (so the ledger, FEFO and the board see
it at once), recorded against the order's line; what is refused at the door is recorded with why.
When every line has come in full the order is received; otherwise receiving is finished by hand
and what did not come is short.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from midnight.adapters import gs1
from midnight.commands.purchasing import FinishReceiving, ReceiveAgainstOrder, RefuseDelivery
from midnight.commands.stock import ReceiveLot
from midnight.db import catalog as catalog_db
from midnight.db import purchasing as db
from midnight.db import stock as stock_db
from midnight.db.purchasing import OrderLine
from midnight.domain import purchasing as rules
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.lot import check_whole_units
from midnight.domain.money import to_decimal as money_decimal
from midnight.domain.people import Permission
from midnight.domain.product import Product
from midnight.domain.purchasing import LineDifference, OrderAction, OrderState, ReceiptKind, order_number
from midnight.domain.quantity import format_quantity, to_decimal
from midnight.services import stock
from midnight.services.context import Context
from midnight.services.purchase_orders import OrderDetail, detail
from midnight.services.stock import Received

GS1_STARTS = ("(", "]", "\x1d")


class DateNeeded(InvalidInput):
    """A scan with no date in it and none typed, where the date printed on the pack is asked for."""

    def __init__(self, product: Product, today: dt.date) -> None:
        self.by_shelf_life = (
            None if product.shelf_life_days is None else today + dt.timedelta(days=product.shelf_life_days)
        )
        hint = f" (none printed: its shelf life gives {self.by_shelf_life})" if self.by_shelf_life else ""
        super().__init__(
            f"the scan of {product.name} has no date: type the date printed on it{hint}", field="expires"
        )


@dataclass(frozen=True)
class Scanned:
    """What a scan says, before anything is written."""

    product: Product
    batch: str | None
    date: dt.date | None


@dataclass(frozen=True)
class Taken:
    """One scan taken in: the lot it made, the line it counts for, and what to tell the person."""

    order: OrderDetail
    received: Received
    kind: ReceiptKind
    line: OrderLine | None
    warnings: list[str]
    complete: bool  # every line has come in full: receiving can be finished


@dataclass(frozen=True)
class Finished:
    order: OrderDetail
    differences: list[LineDifference]


def _product(conn: Connection, code: str, field: str) -> Product:
    """The product a code names; not found (or a bad barcode) said on the request's own field."""
    try:
        return catalog_db.product_by_code(conn, code)
    except (NotFound, InvalidInput) as exc:
        raise type(exc)(exc.message, field=field) from None


def _checked_scan(conn: Connection, code: str, quantity: int, batch: str, expires: dt.date | None) -> Scanned:
    """The scan, checked against what was typed beside it (a scan's own batch and date win, so a
    different one typed is a mistake to point out, not to drop)."""
    scanned = read_scan(conn, code)
    check_whole_units(scanned.product.unit, quantity, scanned.product.sku)
    if scanned.batch and batch and scanned.batch != batch:
        raise InvalidInput(f"the scan says batch {scanned.batch}, not {batch}", field="batch")
    if scanned.date and expires and scanned.date != expires:
        raise InvalidInput(f"the scan says the date is {scanned.date}, not {expires}", field="expires")
    return scanned


def read_scan(conn: Connection, code: str) -> Scanned:
    """The product a scan or typed code names, with the batch and date a GS1 code carries."""
    text = code.strip()
    # a GS1 string: with its symbology prefix or printed brackets; or raw, as a scanner without a
    # prefix sends it, "01" and a 14-digit GTIN first; or a bare 14-digit GTIN
    raw_gs1 = text.startswith("01") and len(text) >= 16 and text[2:16].isdigit()
    is_gs1 = text.startswith(GS1_STARTS) or raw_gs1 or (text.isdigit() and len(text) == 14)
    if not is_gs1:
        return Scanned(_product(conn, text, "code"), None, None)
    scan = gs1.read(text)
    try:
        product = catalog_db.product_by_code(conn, scan.gtin)
    except NotFound:
        raise NotFound(
            f"the scan names GTIN {scan.gtin}, which no product has as its barcode: set it on the product",
            field="code",
        ) from None
    return Scanned(product, scan.batch, scan.date)


def _line_for(
    conn: Connection, order_id: int, product: Product, substitute_for: str | None
) -> tuple[OrderLine, ReceiptKind]:
    if substitute_for is not None:
        replaced = _product(conn, substitute_for, "substitute_for")
        line = db.line_for(conn, order_id, replaced.id)
        if line is None:
            raise InvalidInput(f"{replaced.sku} is not on this order", field="substitute_for")
        if replaced.id == product.id:
            raise InvalidInput("a product is not a substitute for itself", field="substitute_for")
        if replaced.unit != product.unit:
            raise InvalidInput(
                f"{product.sku} is counted in {product.unit} and {replaced.sku} in {replaced.unit}: it can't "
                f"count in its place (refuse it, or take it in on a delivery of its own)",
                field="substitute_for",
            )
        return line, ReceiptKind.SUBSTITUTE
    line = db.line_for(conn, order_id, product.id)
    if line is None:
        raise Conflict(
            f"{product.sku} is not on this order: take it in as a substitute for an ordered product, "
            "or refuse it",
            field="code",
        )
    return line, ReceiptKind.RECEIVED


def _warnings(product: Product, line: OrderLine, quantity: int, expiry: dt.date, today: dt.date) -> list[str]:
    found = []
    if line.received + quantity > line.quantity:
        over = line.received + quantity - line.quantity
        found.append(
            f"{format_quantity(over)} more {line.sku} than ordered ({format_quantity(line.quantity)})"
        )
    left = (expiry - today).days
    if product.shelf_life_days and left < product.shelf_life_days / 2:
        found.append(
            f"{product.sku} expires {expiry}, in {left} days (a fresh one lasts {product.shelf_life_days}): "
            "refuse it if that is too close"
        )
    elif product.shelf_life_days and left > 2 * product.shelf_life_days:
        found.append(
            f"{product.sku} is dated {expiry}, {left} days away, but a fresh one lasts "
            f"{product.shelf_life_days}: check the date (correct the lot's expiry if it was misread)"
        )
    return found


def receive(ctx: Context, order_id: int, cmd: ReceiveAgainstOrder) -> Taken:
    ctx.require(Permission.RECEIVE)
    if cmd.cost is not None:
        ctx.require(Permission.PURCHASE)  # a lot's cost is what its waste and margins are counted at
    today = ctx.today()
    with ctx.db.write() as conn:
        state, supplier_id = db.order_state(conn, order_id, for_update=True)
        rules.check_receive(state)
        scanned = _checked_scan(conn, cmd.code, cmd.quantity, cmd.batch, cmd.expires)
        product = scanned.product
        expires = scanned.date or cmd.expires
        if expires is None and cmd.ask_date:
            raise DateNeeded(product, today)
        if expires is None and product.shelf_life_days is None:
            raise InvalidInput(
                f"{product.name} has no default shelf life and the scan has no date: type its expiry date",
                field="expires",
            )
        line, kind = _line_for(conn, order_id, product, cmd.substitute_for)
        supplier = db.supplier(conn, supplier_id)
        if cmd.cost is not None:
            cost = cmd.cost
        elif kind is ReceiptKind.RECEIVED:
            cost = money_decimal(line.unit_cost, ctx.store.currency)
        else:
            # a substitute costs what the supplier lists it at, else what the product it replaces cost
            # on the order (never nothing: a lot at cost 0 would hide its waste from the reports)
            listed = db.supplier_product(conn, supplier_id, product.id)
            cost = money_decimal(listed.unit_cost if listed else line.unit_cost, ctx.store.currency)
        received = stock.receive_in(
            ctx,
            conn,
            ReceiveLot(
                sku=product.sku,
                quantity=to_decimal(cmd.quantity),  # a command takes units, as a person types them
                expires=expires,
                cost=cost,
                location=cmd.location or stock_db.usual_location(conn, product.id) or "shelf",
                supplier=supplier.name,
                reference=order_number(order_id),
                batch=scanned.batch or cmd.batch,
            ),
        )
        lot = received.lot
        warnings = list(received.warnings) + _warnings(product, line, cmd.quantity, lot.expiry_date, today)
        now = ctx.now()
        db.record_receipt(
            conn,
            store_id=ctx.store.id,
            order_id=order_id,
            line_id=line.id,
            product_id=product.id,
            lot_id=lot.id,
            kind=kind,
            quantity=cmd.quantity,
            expiry_date=lot.expiry_date,
            batch=scanned.batch or cmd.batch or None,
            reason=f"for {line.sku}" if kind is ReceiptKind.SUBSTITUTE else "",
            actor=ctx.actor,
            at=now,
        )
        db.add_received(conn, line.id, cmd.quantity)
        what = f"{format_quantity(cmd.quantity)} {product.sku}" + (
            f" in place of {line.sku}" if kind is ReceiptKind.SUBSTITUTE else ""
        )
        db.record_event(
            conn,
            order_id,
            OrderAction.RECEIVED,
            f"{what}: lot {lot.id}, {lot.expiry_kind.replace('_', ' ')} {lot.expiry_date}"
            + (f", batch {scanned.batch or cmd.batch}" if scanned.batch or cmd.batch else ""),
            actor=ctx.actor,
            at=now,
        )
        # the order stays open until receiving is finished: more of the delivery (extra, refused) may
        # still be scanned after the last line is complete
        db.set_state(conn, order_id, rules.after_receipt(state))
        counted = db.line_for(conn, order_id, line.product_id)
        complete = all(ln.received >= ln.quantity for ln in db.lines(conn, order_id))
        return Taken(detail(conn, order_id), received, kind, counted, warnings, complete)


def refuse(ctx: Context, order_id: int, cmd: RefuseDelivery) -> OrderDetail:
    """Something not taken in (its date too close, damaged): recorded against the order, no stock."""
    ctx.require(Permission.RECEIVE)
    with ctx.db.write() as conn:
        state, _ = db.order_state(conn, order_id, for_update=True)
        rules.check_receive(state)
        scanned = _checked_scan(conn, cmd.code, cmd.quantity, cmd.batch, cmd.expires)
        product = scanned.product
        line = db.line_for(conn, order_id, product.id)
        now = ctx.now()
        db.record_receipt(
            conn,
            store_id=ctx.store.id,
            order_id=order_id,
            line_id=line.id if line else None,
            product_id=product.id,
            lot_id=None,
            kind=ReceiptKind.REFUSED,
            quantity=cmd.quantity,
            expiry_date=scanned.date or cmd.expires,
            batch=scanned.batch or cmd.batch or None,
            reason=cmd.reason,
            actor=ctx.actor,
            at=now,
        )
        db.record_event(
            conn,
            order_id,
            OrderAction.RECEIVED,
            f"refused {format_quantity(cmd.quantity)} {product.sku}: {cmd.reason}",
            actor=ctx.actor,
            at=now,
        )
        # nothing was taken in: the order's state stays (a sent order refused whole can be cancelled)
        return detail(conn, order_id)


def differences(lines: list[OrderLine], refused: dict[int, int]) -> list[LineDifference]:
    """The lines that did not come as ordered: short (some of it perhaps refused) or over."""
    found = [
        LineDifference(ln.product_id, ln.quantity, ln.received, refused.get(ln.product_id, 0)) for ln in lines
    ]
    return [d for d in found if d.short or d.over or d.refused]


def finish_preview(ctx: Context, order_id: int) -> Finished:
    """What finishing now would record, without finishing: the page asks before a short order is
    closed for good (nothing more can be received on it afterwards)."""
    ctx.require(Permission.RECEIVE)
    with ctx.db.read() as conn:
        state, _ = db.order_state(conn, order_id)
        rules.check_finish(state)
        found = differences(db.lines(conn, order_id), db.refused_by_product(conn, order_id))
        return Finished(detail(conn, order_id), found)


def finish(ctx: Context, order_id: int, cmd: FinishReceiving) -> Finished:
    """Receiving is over: the order is received, and whatever did not come is recorded short."""
    ctx.require(Permission.RECEIVE)
    with ctx.db.write() as conn:
        now = ctx.now()  # once the lock is held: after every receipt it counts
        state, _ = db.order_state(conn, order_id, for_update=True)
        rules.check_finish(state)
        lines = db.lines(conn, order_id)
        found = differences(lines, db.refused_by_product(conn, order_id))
        by_id = {ln.product_id: ln for ln in lines}
        short = [
            f"{format_quantity(d.short)} {by_id[d.product_id].sku}"
            + (f" ({format_quantity(d.refused)} refused at the door)" if d.refused else "")
            for d in found
            if d.short
        ]
        over = [f"{format_quantity(d.over)} {by_id[d.product_id].sku}" for d in found if d.over]
        said = "; ".join(
            part
            for part in (
                "short " + ", ".join(short) if short else "",
                "over " + ", ".join(over) if over else "",
                cmd.note,
            )
            if part
        )
        db.set_state(conn, order_id, OrderState.RECEIVED, closed_at=now)
        db.record_event(
            conn, order_id, OrderAction.FINISHED, said or "everything ordered came", actor=ctx.actor, at=now
        )
        return Finished(detail(conn, order_id), found)
