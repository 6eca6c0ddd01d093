"""midnight po: purchase orders — a draft, sent to the supplier, received against by scan, finished.

An order is named as the supplier sees it (PO-00012) or by its number (12). Lines are SKU=QTY, the
quantity in the product's unit (whole packs of the supplier's pack size).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, sku_quantities
from midnight.cli.output import print_json, table, warn
from midnight.commands.purchasing import (
    CancelOrder,
    EditPurchaseOrder,
    FinishReceiving,
    NewPurchaseOrder,
    OrderQuery,
    ReceiveAgainstOrder,
    RefuseDelivery,
)
from midnight.domain.purchasing import parse_order_number
from midnight.services import purchase_orders, receiving
from midnight.services import purchasing_views as shown
from midnight.services.context import Context

po_app = typer.Typer(
    help="Purchase orders: draft, send to the supplier, receive against by scan, finish or cancel.",
    no_args_is_help=True,
)
app.add_typer(po_app, name="po")

OrderArg = Annotated[str, typer.Argument(metavar="ORDER", help="PO-00012 or 12.")]
LineOption = Annotated[
    list[str] | None,
    typer.Option("--line", help="SKU=QTY in the product's unit, e.g. MILK-1L=12 (repeat; 0 removes)."),
]
ScanOption = Annotated[
    str, typer.Option("--scan", "--code", help="What was scanned: a GS1 code, a barcode or a SKU.")
]
QuantityOption = Annotated[str, typer.Option("--quantity", help="How many, in the product's unit.")]
ExpiresOption = Annotated[
    str | None, typer.Option(help="YYYY-MM-DD, when the scan carries no date (default: shelf life).")
]
BatchOption = Annotated[str | None, typer.Option(help="The maker's batch, when the scan carries none.")]


def _print_order(s: Context, found: shown.OrderShown, *, history: bool = False) -> None:
    o = found.order
    print(
        f"{o.number} {o.supplier}: {o.state.label}, delivery {o.delivery_date:%a %Y-%m-%d}, "
        f"{o.lines} line(s), {s.money(o.total)}"
    )
    if o.note:
        print(f"  note: {o.note}")
    warn(found.warnings)
    if found.lines:
        table(
            None,
            ["SKU", "product", "ordered", "packs", "unit cost", "cost", "received"],
            [
                [
                    ln.sku,
                    ln.name,
                    f"{ln.quantity} {ln.unit}",
                    f"{ln.packs} x {ln.pack_size}",
                    s.money(ln.unit_cost),
                    s.money(ln.cost),
                    ln.received,
                ]
                for ln in found.lines
            ],
        )
    if history and found.receipts.items:
        table(
            "Received",
            ["when", "SKU", "how", "qty", "lot", "expires", "batch", "why", "who"],
            [
                [
                    f"{r.at.astimezone(s.store.tz):%Y-%m-%d %H:%M}",
                    r.sku,
                    r.kind,
                    r.quantity,
                    r.lot_id,
                    r.expiry_date,
                    r.batch,
                    r.reason,
                    r.actor,
                ]
                for r in found.receipts.items
            ],
        )
    if history:
        for e in found.events:
            print(f"  {e.at.astimezone(s.store.tz):%Y-%m-%d %H:%M} {e.actor}: {e.action} {e.detail}")


def _order(text: str) -> int:
    return parse_order_number(text)


@po_app.command("new")
def po_new(
    ctx: typer.Context,
    supplier: Annotated[str, typer.Argument(metavar="SUPPLIER", help="Name or number.")],
    line: LineOption = None,
    delivery: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default: the supplier's next delivery day).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="For the supplier.")] = None,
    key: Annotated[str | None, typer.Option(help="Run again with the same key: still one order.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """A draft order for a supplier (owner); send it with `midnight po send`."""
    s = context_of(ctx)
    cmd = command(
        NewPurchaseOrder,
        {
            "supplier": supplier,
            "lines": sku_quantities(line or [], "lines"),
            "delivery_date": delivery,
            "note": note,
            "key": key,
        },
    )
    found = shown.order(purchase_orders.new_order(s, cmd), s.store.currency)
    if as_json:
        print_json(found)
        return
    _print_order(s, found)


@po_app.command("edit")
def po_edit(
    ctx: typer.Context,
    order: OrderArg,
    line: LineOption = None,
    delivery: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a draft: each --line given is set (=0 removes it), and the date or note (owner)."""
    s = context_of(ctx)
    cmd = command(
        EditPurchaseOrder,
        {"lines": sku_quantities(line or [], "lines"), "delivery_date": delivery, "note": note},
    )
    found = shown.order(purchase_orders.edit_order(s, _order(order), cmd), s.store.currency)
    if as_json:
        print_json(found)
        return
    _print_order(s, found)


@po_app.command("list")
def po_list(
    ctx: typer.Context,
    state: Annotated[
        str | None, typer.Option(help="draft, sent, partly_received, received or cancelled.")
    ] = None,
    supplier: Annotated[str | None, typer.Option(help="Name or number.")] = None,
    limit: Annotated[str | None, typer.Option(help="How many, newest first (default 50).")] = "50",
    cursor: Annotated[str | None, typer.Option(help="Where the last page said to go on from.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Purchase orders, newest first, a page at a time."""
    s = context_of(ctx)
    query = command(OrderQuery, {"state": state, "supplier": supplier, "limit": limit, "cursor": cursor})
    found = shown.orders(purchase_orders.list_orders(s, query), s.store.currency)
    if as_json:
        print_json(found)
        return
    table(
        "Purchase orders",
        ["order", "supplier", "state", "delivery", "lines", "total", "made by"],
        [
            [o.number, o.supplier, o.state.label, o.delivery_date, o.lines, s.money(o.total), o.created_by]
            for o in found.items
        ],
    )
    if found.next_cursor:
        print(f"more: --cursor {found.next_cursor}")


@po_app.command("show")
def po_show(ctx: typer.Context, order: OrderArg, as_json: JsonFlag = False) -> None:
    """An order: its lines, what has arrived against it, and its history."""
    s = context_of(ctx)
    found = shown.order(purchase_orders.order_detail(s, _order(order)), s.store.currency)
    if as_json:
        print_json(found)
        return
    _print_order(s, found, history=True)


@po_app.command("csv")
def po_csv(
    ctx: typer.Context,
    order: OrderArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """The order as the CSV file the supplier is sent (to stdout, or a file)."""
    filename, text = purchase_orders.order_csv(context_of(ctx), _order(order))
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {filename} to {output}")


@po_app.command("send")
def po_send(ctx: typer.Context, order: OrderArg, as_json: JsonFlag = False) -> None:
    """Send a draft to the supplier's addresses, with the order attached as CSV (owner)."""
    s = context_of(ctx)
    found = shown.sent(purchase_orders.send_order(s, _order(order)), s.store.currency)
    if as_json:
        print_json(found)
        return
    to = ", ".join(found.to) if found.to else "no address: send it by phone or on paper (midnight po csv)"
    print(f"sent {found.order.order.number} to {to}")
    if found.messages:
        print(f"  {found.messages} message(s) queued; the notification worker delivers them")


@po_app.command("cancel")
def po_cancel(
    ctx: typer.Context,
    order: OrderArg,
    reason: Annotated[str, typer.Option(help="Why, for the order's history.")],
    as_json: JsonFlag = False,
) -> None:
    """Cancel a draft or a sent order (owner); once part of it came, finish it instead."""
    s = context_of(ctx)
    cmd = command(CancelOrder, {"reason": reason})
    found = shown.order(purchase_orders.cancel_order(s, _order(order), cmd), s.store.currency)
    if as_json:
        print_json(found)
        return
    _print_order(s, found)


@po_app.command("receive")
def po_receive(
    ctx: typer.Context,
    order: OrderArg,
    scan: ScanOption,
    quantity: QuantityOption,
    expires: ExpiresOption = None,
    batch: BatchOption = None,
    location: Annotated[
        str | None,
        typer.Option(help="Where it goes (default: where its newest lot in stock is, else shelf)."),
    ] = None,
    substitute_for: Annotated[
        str | None, typer.Option("--substitute-for", help="The ordered SKU this was sent in place of.")
    ] = None,
    cost: Annotated[str | None, typer.Option(help="Unit cost, if not the order's.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Take in one scan against a sent order: a lot, counted on the order's line."""
    s = context_of(ctx)
    cmd = command(
        ReceiveAgainstOrder,
        {
            "code": scan,
            "quantity": quantity,
            "expires": expires,
            "batch": batch,
            "location": location,
            "substitute_for": substitute_for,
            "cost": cost,
        },
    )
    found = shown.taken(receiving.receive(s, _order(order), cmd), s.store.currency)
    if as_json:
        print_json(found)
        return
    lot = found.lot
    batch_text = f", batch {lot.batch}" if lot.batch else ""
    print(
        f"lot {lot.id}: {lot.quantity} {lot.unit} {lot.sku} in {lot.location}, "
        f"{lot.expiry_kind.replace('_', ' ')} {lot.expiry_date}{batch_text}"
        + (" (a substitute)" if found.kind == "substitute" else "")
    )
    if found.line is not None:
        print(
            f"  {found.line.sku}: {found.line.received} of {found.line.quantity} {found.line.unit} received"
        )
    print(f"  {found.order.order.number} is {found.order.order.state.label}")
    if found.complete:
        print(
            f"  everything ordered has come: midnight po finish {found.order.order.number} once it is all in"
        )
    warn(found.warnings)


@po_app.command("refuse")
def po_refuse(
    ctx: typer.Context,
    order: OrderArg,
    scan: ScanOption,
    quantity: QuantityOption,
    reason: Annotated[str, typer.Option(help="Why it is not taken in.")],
    expires: ExpiresOption = None,
    batch: BatchOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Record something that came and is not taken in (its date too close, damaged): no stock."""
    s = context_of(ctx)
    cmd = command(
        RefuseDelivery,
        {"code": scan, "quantity": quantity, "reason": reason, "expires": expires, "batch": batch},
    )
    found = shown.order(receiving.refuse(s, _order(order), cmd), s.store.currency)
    if as_json:
        print_json(found)
        return
    print(found.events[-1].detail)  # "refused 6 MILK: dented crate"
    print(f"  {found.order.number} is {found.order.state.label}")


@po_app.command("finish")
def po_finish(
    ctx: typer.Context,
    order: OrderArg,
    note: Annotated[str | None, typer.Option(help="For the order's history.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Receiving is over: the order is received, and what did not come is short."""
    s = context_of(ctx)
    found = shown.finished(
        receiving.finish(s, _order(order), command(FinishReceiving, {"note": note})), s.store.currency
    )
    if as_json:
        print_json(found)
        return
    print(f"{found.order.order.number} received")
    table(
        None,
        ["SKU", "product", "ordered", "received", "short", "over"],
        [
            [d.sku, d.name, f"{d.ordered} {d.unit}", d.received, d.short or "", d.over or ""]
            for d in found.differences
        ],
    )
