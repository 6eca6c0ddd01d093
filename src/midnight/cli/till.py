"""Till commands: menu, orders, receipts, X and Z reports."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, context_of
from midnight.cli.output import money, print_json, table
from midnight.domain.clock import parse_date
from midnight.domain.errors import InvalidInput
from midnight.services import menu as menu_svc
from midnight.services import orders as order_svc
from midnight.services import receipts, reports
from midnight.services.context import Context
from midnight.services.orderviews import OrderInfo, get_order, list_orders

menu_app = typer.Typer(help="The menu: what the till sells, its recipes and prices.", no_args_is_help=True)
order_app = typer.Typer(help="Orders: ring up, pay, refund, void.", no_args_is_help=True)
report_app = typer.Typer(help="X report (the day so far) and Z report (close the day).", no_args_is_help=True)
app.add_typer(menu_app, name="menu")
app.add_typer(order_app, name="order")
app.add_typer(report_app, name="report")

NUMBERS_AS_ARGS = {"ignore_unknown_options": True}


def _m(s: Context, minor: int) -> str:
    return money(minor, s.store.currency, s.store.locale)


def _pairs(values: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for value in values:
        key, sep, amount = value.partition("=")
        if not sep or not key.strip() or not amount.strip():
            raise InvalidInput(f"{what} must look like SKU=QTY, got {value!r}", field=what)
        out.append((key.strip(), amount.strip()))
    return out


@menu_app.command("add")
def menu_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE")],
    name: Annotated[str, typer.Argument(metavar="NAME")],
    price: Annotated[str, typer.Option(help="Price, e.g. 38.00.")],
    product: Annotated[str | None, typer.Option(help="Sell this product 1:1.")] = None,
    recipe: Annotated[list[str] | None, typer.Option(help="SKU=QTY drawn per unit sold (repeat).")] = None,
    category: Annotated[str, typer.Option()] = "",
    restockable: Annotated[
        bool | None,
        typer.Option(
            "--restockable/--not-restockable", help="Refunds go back to stock (default: only for --product)."
        ),
    ] = None,
    markdown_days: Annotated[
        str | None, typer.Option(help="Reduce to clear from this many days before expiry.")
    ] = None,
    markdown_percent: Annotated[str | None, typer.Option(help="... by this percentage.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a menu item."""
    item = menu_svc.add_menu_item(
        context_of(ctx),
        code,
        name,
        price,
        category=category,
        recipe=_pairs(recipe or [], "recipe"),
        product=product,
        restockable=restockable,
        markdown_days=markdown_days,
        markdown_percent=markdown_percent,
    )
    if as_json:
        print_json(item)
        return
    print(f"added {item.code}: {item.name} at {_m(context_of(ctx), item.price)}")


@menu_app.command("list")
def menu_list(
    ctx: typer.Context,
    all_items: Annotated[bool, typer.Option("--all", help="Include items not on sale.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The menu."""
    s = context_of(ctx)
    items = menu_svc.list_menu(s, include_inactive=all_items)
    if as_json:
        print_json(items)
        return
    table(
        "Menu",
        ["code", "name", "category", "price", "recipe", "on sale"],
        [
            [
                i.code,
                i.name,
                i.category,
                _m(s, i.price),
                ", ".join(f"{r.sku} {r.quantity}" for r in i.recipe),
                "yes" if i.active else "no",
            ]
            for i in items
        ],
    )


@menu_app.command("show")
def menu_show(
    ctx: typer.Context, code: Annotated[str, typer.Argument(metavar="CODE")], as_json: JsonFlag = False
) -> None:
    """A menu item with its recipe and price history."""
    s = context_of(ctx)
    item = menu_svc.get_menu_item(s, code)
    if as_json:
        print_json(item)
        return
    print(f"{item.code}  {item.name}  {_m(s, item.price)}  ({'on sale' if item.active else 'not on sale'})")
    for r in item.recipe:
        print(f"  {r.quantity} {r.unit} {r.sku} ({r.product})")
    if item.markdown_days is not None:
        print(
            f"  reduce to clear: {item.markdown_percent}% off from {item.markdown_days} day(s) before expiry"
        )
    for p in item.prices:
        print(
            f"  price {_m(s, p.price)} from {p.effective_at.astimezone(s.store.tz):%Y-%m-%d %H:%M} by {p.actor}"
        )


@menu_app.command("price")
def menu_price(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE")],
    price: Annotated[str, typer.Argument(metavar="PRICE")],
) -> None:
    """Set a new price from now on (past orders keep theirs)."""
    s = context_of(ctx)
    item = menu_svc.set_price(s, code, price)
    print(f"{item.code} now {_m(s, item.price)}")


def _line(text: str) -> order_svc.LineRequest:
    code, _, rest = text.partition(":")
    quantity, _, note = rest.partition(":")
    return order_svc.LineRequest(code, quantity or "1", note)


def _payments(
    cash: list[str] | None, card: list[str] | None, other: list[str] | None
) -> list[tuple[str, str]]:
    return (
        [("card", a) for a in card or []]
        + [("other", a) for a in other or []]
        + [("cash", a) for a in cash or []]
    )


def _print_order(s: Context, order: OrderInfo) -> None:
    if order.replayed:
        print(f"order #{order.id} was already recorded with this key; nothing new written")
    print(receipts.render(s, order, 80), end="")


Cash = Annotated[list[str] | None, typer.Option("--cash", help="Cash handed over (change is given).")]
Card = Annotated[list[str] | None, typer.Option("--card", help="Card payment.")]
Other = Annotated[list[str] | None, typer.Option("--other", help="Other payment.")]


@order_app.command("new", context_settings=NUMBERS_AS_ARGS)
def order_new(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(metavar="CODE[:QTY[:NOTE]]...")],
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
        lines[n] = order_svc.LineRequest(lines[n].code, lines[n].quantity, lines[n].note, value, why)
    s = context_of(ctx)
    order = order_svc.place_order(
        s,
        key or uuid.uuid4().hex,
        lines,
        discount=discount,
        discount_reason=reason,
        note=note,
        payments=_payments(cash, card, other),
    )
    if as_json:
        print_json(order)
        return
    _print_order(s, order)


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
    paid = order_svc.pay_order(s, order, _payments(cash, card, other))
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
    as_json: JsonFlag = False,
) -> None:
    """Refund a paid order, or some of its lines."""
    parts = []
    for spec in line or []:
        number, _, quantity = spec.partition(":")
        if not number.strip().isdigit():
            raise InvalidInput(f"--line must look like LINE:QTY, got {spec!r}", field="lines")
        parts.append((int(number), quantity or "1"))
    s = context_of(ctx)
    refunded = order_svc.refund_order(s, order, lines=parts or None, method=method, reason=reason)
    if as_json:
        print_json(refunded)
        return
    last = refunded.refunds[-1]
    print(f"refunded {_m(s, last.amount)} to {last.method} on order #{refunded.id} ({refunded.state})")


@order_app.command("void")
def order_void(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(metavar="ORDER")],
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Void an unpaid order."""
    voided = order_svc.void_order(context_of(ctx), order, reason)
    print(f"order #{voided.id} voided")


@order_app.command("show")
def order_show(
    ctx: typer.Context, order: Annotated[str, typer.Argument(metavar="ORDER")], as_json: JsonFlag = False
) -> None:
    """One order."""
    s = context_of(ctx)
    found = get_order(s, order)
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
    as_json: JsonFlag = False,
) -> None:
    """Recent orders, newest first."""
    s = context_of(ctx)
    found = list_orders(s, business_date=parse_date(date) if date else None, state=state, limit=limit)
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
                _m(s, o.total),
                "+".join(sorted({p.method for p in o.payments})),
            ]
            for o in found
        ],
    )


@app.command()
def receipt(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(metavar="ORDER")],
    width: Annotated[int, typer.Option(help="Paper width in mm: 58 or 80.")] = 80,
) -> None:
    """Print an order's receipt."""
    print(receipts.receipt(context_of(ctx), order, width), end="")


def _print_report(s: Context, report: reports.DayReport) -> None:
    title = "Z report (day closed)" if report.kind == "Z" else "X report (day so far)"
    print(f"{title} — {s.store.name} — {report.business_date}")
    rows = [
        ("Orders", str(report.orders)),
        ("Gross sales", _m(s, report.gross_sales)),
        ("Reduced to clear", _m(s, report.markdowns)),
        ("Discounts", _m(s, report.discounts)),
        (f"Refunds ({report.refund_count})", _m(s, report.refunds)),
        ("Net sales", _m(s, report.net_sales)),
        ("Voids", str(report.voids)),
        *((f"Paid by {method}", _m(s, amount)) for method, amount in report.payments.items()),
        ("Cash expected in drawer", _m(s, report.cash_expected)),
        ("Cost of goods sold", _m(s, report.cost_of_goods_sold)),
        ("Waste at cost", _m(s, report.waste_at_cost)),
    ]
    for label, value in rows:
        print(f"  {label:<26}{value:>14}")
    if report.closed_at:
        print(f"  closed {report.closed_at.astimezone(s.store.tz):%Y-%m-%d %H:%M} by {report.closed_by}")


@report_app.command("x")
def report_x(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Option(help="Business date (default: today's).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The day so far, without closing it."""
    s = context_of(ctx)
    report = reports.x_report(s, date)
    if as_json:
        print_json(report)
        return
    _print_report(s, report)


@report_app.command("z")
def report_z(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Option(help="Business date (default: today's).")] = None,
    reprint: Annotated[bool, typer.Option("--reprint", help="Print a day already closed.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Close the day and print its Z report (a day closes once)."""
    s = context_of(ctx)
    if reprint:
        if date is None:
            raise InvalidInput("--reprint needs --date", field="date")
        report = reports.z_report(s, date)
    else:
        report = reports.close_day(s, date)
    if as_json:
        print_json(report)
        return
    _print_report(s, report)
