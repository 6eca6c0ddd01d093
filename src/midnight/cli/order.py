"""midnight order: ring up, pay, refund, void; and receipts."""

from __future__ import annotations

import sys
import uuid
from typing import Annotated

import typer

from midnight.cli.app import NUMBERS_AS_ARGS, JsonFlag, app, command, context_of, record_id
from midnight.cli.output import print_json, table
from midnight.cli.printer import print_and_say
from midnight.commands.printing import PrintReceipt
from midnight.commands.till import (
    OrderQuery,
    ParkedQuery,
    ParkOrder,
    PayOrder,
    PlaceOrder,
    RefundOrder,
    VoidOrder,
)
from midnight.domain.errors import InvalidInput
from midnight.services import orders as order_svc
from midnight.services import printing, receipts
from midnight.services.context import Context
from midnight.services.orders import OrderInfo

order_app = typer.Typer(help="Orders: ring up, pay, refund, void.", no_args_is_help=True)
app.add_typer(order_app, name="order")


def _line(text: str) -> dict[str, object]:
    """CODE[+MODIFIER...][:QTY[:NOTE]]: SALAD+LARGE+ADD-EGG:2:"no onion"."""
    item, _, rest = text.partition(":")
    code, *chosen = item.split("+")
    quantity, _, note = rest.partition(":")
    return {"code": code, "quantity": quantity or "1", "note": note, "modifiers": chosen}


def _payments(
    cash: list[str] | None, card: list[str] | None, other: list[str] | None
) -> list[dict[str, str]]:
    return (
        [{"method": "card", "amount": a} for a in card or []]
        + [_other(spec) for spec in other or []]
        + [{"method": "cash", "amount": a} for a in cash or []]
    )


def _other(spec: str) -> dict[str, str]:
    """TENDER=AMOUNT, e.g. Octopus=30: a payment by one of the shop's named tenders."""
    name, sep, amount = spec.rpartition("=")
    if not sep or not name.strip():
        raise InvalidInput(f"--other takes TENDER=AMOUNT, like Octopus=30; got {spec!r}", field="payments")
    return {"method": "other", "tender": name.strip(), "amount": amount}


def _print_order(s: Context, order: OrderInfo) -> None:
    if order.replayed:
        print(f"order #{order.id} was already recorded with this key; nothing new written")
    print(receipts.render(s, order, 80), end="")


Cash = Annotated[list[str] | None, typer.Option("--cash", help="Cash handed over (change is given).")]
Card = Annotated[list[str] | None, typer.Option("--card", help="Card payment.")]
Other = Annotated[
    list[str] | None,
    typer.Option("--other", help="TENDER=AMOUNT: a named tender (Octopus=30); pays exactly, no change."),
]


@order_app.command("new", context_settings=NUMBERS_AS_ARGS)
def order_new(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(metavar="CODE[+MOD...][:QTY[:NOTE]]...")],
    key: Annotated[str | None, typer.Option(help="Idempotency key (default: a new one).")] = None,
    discount: Annotated[str | None, typer.Option(help="Order discount: 10% or 5.00.")] = None,
    reason: Annotated[str | None, typer.Option(help="Why the discount.")] = None,
    line_discount: Annotated[
        list[str] | None, typer.Option(help="LINE:10%:REASON or LINE:5.00:REASON (repeat).")
    ] = None,
    note: Annotated[str, typer.Option()] = "",
    cash: Cash = None,
    card: Card = None,
    other: Other = None,
    sold_at: Annotated[
        str | None,
        typer.Option(
            help="A sale written on paper, entered afterwards (owner): when it was made, "
            "'YYYY-MM-DD HH:MM' in the store's time."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Ring up an order (and pay it, if payments are given)."""
    lines = [_line(i) for i in items]
    for spec in line_discount or []:
        number, _, rest = spec.partition(":")
        value, _, why = rest.partition(":")
        if not number.isdigit() or not 1 <= int(number) <= len(lines):
            raise InvalidInput(f"line discount {spec!r} names no line of this order", field="line_discount")
        n = int(number) - 1
        lines[n] = {**lines[n], "discount": value, "discount_reason": why}
    s = context_of(ctx)
    payments = _payments(cash, card, other)
    wanted = command(
        PlaceOrder,
        {
            "lines": lines,
            "discount": discount,
            "discount_reason": reason,
            "note": note,
            "payments": payments or None,
            "sold_at": sold_at,
        },
    )
    order = order_svc.place_order(s, key or uuid.uuid4().hex, wanted)
    if as_json:
        print_json(order)
        return
    _print_order(s, order)


@order_app.command("park", context_settings=NUMBERS_AS_ARGS)
def order_park(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(metavar="CODE[+MOD...][:QTY[:NOTE]]...")],
    label: Annotated[str | None, typer.Option(help="Who or where it is for: a table, a name.")] = None,
    key: Annotated[
        str | None, typer.Option(help="The order's key: park it again under it to change it.")
    ] = None,
    revision: Annotated[
        str | None, typer.Option(help="The revision you changed (refused if changed since).")
    ] = None,
    send: Annotated[bool, typer.Option("--send", help="Send the kitchen what it has not had yet.")] = False,
    note: Annotated[str, typer.Option()] = "",
    as_json: JsonFlag = False,
) -> None:
    """Park an order under a name or table, to pay later on any till (order pay ID)."""
    s = context_of(ctx)
    wanted = command(
        ParkOrder,
        {
            "lines": [_line(i) for i in items],
            "label": label,
            "revision": revision,
            "send_to_kitchen": send,
            "note": note,
        },
    )
    chosen = key or uuid.uuid4().hex
    parked = order_svc.park_order(s, chosen, wanted)
    if as_json:
        print_json(parked)
        return
    print(
        f"order #{parked.id} parked for {parked.label} (number {parked.call_number}, revision {parked.revision}, "
        f"key {parked.idempotency_key}): {s.money(parked.total)}"
    )


@order_app.command("parked")
def order_parked(
    ctx: typer.Context,
    cursor: Annotated[str | None, typer.Option(help="Continue where a full page said.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Orders parked and not yet paid, the longest waiting first."""
    s = context_of(ctx)
    page = order_svc.parked_orders(s, command(ParkedQuery, {"cursor": cursor}))
    if as_json:
        print_json(page.items)
        return
    table(
        "Parked orders",
        ["#", "for", "number", "since", "items", "total"],
        [
            [
                o.id,
                o.label or "",
                o.call_number or "",
                o.parked_at.astimezone(s.store.tz).strftime("%H:%M") if o.parked_at else "",
                ", ".join(f"{ln.quantity} {ln.code}" for ln in o.lines),
                s.money(o.total),
            ]
            for o in page.items
        ],
    )
    if page.next_cursor:
        print(f"more: --cursor {page.next_cursor}", file=sys.stderr)


@order_app.command("pay", context_settings=NUMBERS_AS_ARGS)
def order_pay(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(metavar="ORDER")],
    cash: Cash = None,
    card: Card = None,
    other: Other = None,
    as_json: JsonFlag = False,
) -> None:
    """Pay an open order: stock is drawn FEFO, all or nothing."""
    s = context_of(ctx)
    paid = order_svc.pay_order(
        s, record_id(order, "order"), command(PayOrder, {"payments": _payments(cash, card, other)})
    )
    if as_json:
        print_json(paid)
        return
    _print_order(s, paid)


@order_app.command("refund", context_settings=NUMBERS_AS_ARGS)
def order_refund(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(metavar="ORDER")],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    line: Annotated[
        list[str] | None, typer.Option(help="LINE:QTY to refund part (repeat); default all.")
    ] = None,
    method: Annotated[
        str | None, typer.Option(help="cash, card or other (default: how it was paid).")
    ] = None,
    tender: Annotated[str | None, typer.Option(help="With --method other: which tender (Octopus).")] = None,
    restock: Annotated[
        bool | None,
        typer.Option(
            "--restock/--waste",
            help="Put the goods back on the shelf, or write them off (default: each item's setting).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Refund a paid order, or some of its lines."""
    parts = []
    for spec in line or []:
        number, _, quantity = spec.partition(":")
        if not number.strip().isdigit():
            raise InvalidInput(f"--line must look like LINE:QTY, got {spec!r}", field="lines")
        parts.append({"line": number.strip(), "quantity": quantity or "1"})
    s = context_of(ctx)
    cmd = command(
        RefundOrder,
        {"lines": parts or None, "method": method, "tender": tender, "reason": reason, "restock": restock},
    )
    order_id = record_id(order, "order")
    # A refund of a split-paid order goes back in several parts (one per method): say each.
    earlier = {r.id for r in order_svc.get_order(s, order_id).refunds}
    refunded = order_svc.refund_order(s, order_id, cmd)
    if as_json:
        print_json(refunded)
        return
    paid_back = " and ".join(
        f"{s.money(r.amount)} to {r.label}" for r in refunded.refunds if r.id not in earlier
    )
    print(f"refunded {paid_back} on order #{refunded.id} ({refunded.state})")


@order_app.command("void")
def order_void(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(metavar="ORDER")],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Void an unpaid order."""
    voided = order_svc.void_order(
        context_of(ctx), record_id(order, "order"), command(VoidOrder, {"reason": reason})
    )
    print(f"order #{voided.id} voided")


@order_app.command("show")
def order_show(
    ctx: typer.Context, order: Annotated[str, typer.Argument(metavar="ORDER")], as_json: JsonFlag = False
) -> None:
    """One order."""
    s = context_of(ctx)
    found = order_svc.get_order(s, record_id(order, "order"))
    if as_json:
        print_json(found)
        return
    print(f"order #{found.id}: {found.state}, by {found.actor}")
    print(receipts.render(s, found, 80), end="")


@order_app.command("list")
def order_list(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Option(help="Business date YYYY-MM-DD.")] = None,
    state: Annotated[str | None, typer.Option(help="open, paid, void, partly_refunded, refunded.")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    cursor: Annotated[
        str | None, typer.Option(help="Continue where a full page said (its next cursor).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Recent orders, newest first, a page at a time."""
    s = context_of(ctx)
    page = order_svc.list_orders(
        s, command(OrderQuery, {"date": date, "state": state, "limit": limit, "cursor": cursor})
    )
    found = page.items
    if as_json:
        print_json(found)
        return
    table(
        "Orders",
        ["#", "state", "time", "items", "total", "paid by"],
        [
            [
                o.id,
                o.state,
                o.created_at.astimezone(s.store.tz).strftime("%m-%d %H:%M"),
                ", ".join(f"{ln.quantity} {ln.code}" for ln in o.lines),
                s.money(o.total),
                "+".join(sorted({p.label for p in o.payments})),
            ]
            for o in found
        ],
    )
    if page.next_cursor:
        print(f"older orders: --cursor {page.next_cursor}", file=sys.stderr)


@app.command()
def receipt(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(metavar="ORDER")],
    width: Annotated[int, typer.Option(help="Paper width in mm: 58 or 80.")] = 80,
    on_printer: Annotated[
        bool, typer.Option("--print", help="Print it on a receipt printer instead of showing it.")
    ] = False,
    till: Annotated[str | None, typer.Option(help="With --print: on this till's printer.")] = None,
    printer: Annotated[str | None, typer.Option(help="With --print: on this printer.")] = None,
) -> None:
    """Show an order's receipt, or --print it (on --till T's printer, or --printer P; by default the
    printer of the till it was rung on). Printing never opens the drawer."""
    s = context_of(ctx)
    order_id = record_id(order, "order")
    if not on_printer:
        if till or printer:
            raise InvalidInput("--till and --printer go with --print", field="print")
        print(receipts.receipt(s, order_id, width), end="")
        return
    job = printing.print_receipt(s, order_id, command(PrintReceipt, {"till": till, "printer": printer}))
    print_and_say(s, job, f"receipt of order #{order_id}")
