"""Stock commands: receive, sell, use, open, move, waste, count, undo and the views."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer

from midnight.cli.app import NUMBERS_AS_ARGS, JsonFlag, app, command, context_of, every, record_id
from midnight.cli.output import money, print_json, status, table, warn
from midnight.commands.catalog import BoardQuery, LedgerQuery, StockQuery
from midnight.commands.stock import (
    CountLot,
    DrawStock,
    ExpiredQuery,
    MoveLot,
    OpenPack,
    ReceiveLot,
    WriteOff,
    WriteOffExpired,
)
from midnight.domain.errors import InvalidInput
from midnight.services import stock as svc
from midnight.services import views
from midnight.services.context import Context


def _money(s: Context, minor: int) -> str:
    return money(minor, s.store.currency, s.store.locale)


def _lots_table(s: Context, title: str | None, lots: list[views.LotInfo]) -> None:
    table(
        title,
        ["lot", "sku", "product", "qty", "location", "expires", "status", "value", "supplier"],
        [
            [
                lot.id,
                lot.sku,
                lot.product,
                f"{lot.quantity} {lot.unit}",
                lot.location,
                lot.effective_expiry,
                status(lot.status.value),
                _money(s, lot.value),
                lot.supplier,
            ]
            for lot in lots
        ],
    )


@app.command(context_settings=NUMBERS_AS_ARGS)
def receive(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="SKU", help="SKU or barcode.")],
    quantity: Annotated[str, typer.Argument(metavar="QTY")],
    expires: Annotated[
        str | None, typer.Option(help="Expiry date YYYY-MM-DD (default: received + shelf life).")
    ] = None,
    cost: Annotated[str, typer.Option(help="Unit cost, e.g. 12.50.")] = "0",
    location: Annotated[str, typer.Option(help="Where it goes.")] = "shelf",
    supplier: Annotated[str, typer.Option()] = "",
    received: Annotated[str | None, typer.Option(help="Back-date the delivery (YYYY-MM-DD).")] = None,
    reference: Annotated[str, typer.Option(help="Delivery note or invoice number.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """A delivery arrives: record it as a new lot."""
    s = context_of(ctx)
    delivery = command(
        ReceiveLot,
        {
            "sku": code,
            "quantity": quantity,
            "expires": expires,
            "cost": cost,
            "location": location,
            "supplier": supplier,
            "received": received,
            "reference": reference,
        },
    )
    result = svc.receive(s, delivery)
    if as_json:
        print_json(result)
        return
    warn(result.warnings)
    lot = result.lot
    print(
        f"received lot {lot.id}: {lot.quantity} {lot.unit} of {lot.sku} into {lot.location}, "
        f"expires {lot.effective_expiry}, cost {_money(s, lot.unit_cost)} each"
    )


def _print_drawn(s: Context, result: svc.Drawn, as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    warn(result.warnings)
    verb = "sold" if result.kind == "sell" else "used"
    print(f"{verb} {result.quantity} of {result.sku} (cost {_money(s, result.cost)}):")
    for draw in result.draws:
        print(f"  lot {draw.lot_id}: {draw.quantity} (expires {draw.effective_expiry})")


AllowPastBB = Annotated[
    bool, typer.Option("--allow-past-best-before", help="Also draw best-before lots past their date.")
]


def _draw_command(draw: Callable[..., svc.Drawn], doc: str) -> Callable[..., None]:
    """Sell and use take the same arguments and differ only in the movement they write."""

    def run(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(metavar="SKU")],
        quantity: Annotated[str, typer.Argument(metavar="QTY")],
        allow_past_best_before: AllowPastBB = False,
        reference: Annotated[str, typer.Option()] = "",
        as_json: JsonFlag = False,
    ) -> None:
        s = context_of(ctx)
        wanted = command(
            DrawStock,
            {
                "sku": code,
                "quantity": quantity,
                "allow_past_best_before": allow_past_best_before,
                "reference": reference,
            },
        )
        _print_drawn(s, draw(s, wanted), as_json)

    run.__doc__ = doc
    return run


app.command(name="sell", context_settings=NUMBERS_AS_ARGS)(
    _draw_command(svc.sell, "Sell stock, earliest-expiring lots first.")
)
app.command(name="use", context_settings=NUMBERS_AS_ARGS)(
    _draw_command(svc.use, "The kitchen uses stock, earliest-expiring lots first.")
)


@app.command(name="open", context_settings=NUMBERS_AS_ARGS)
def open_(
    ctx: typer.Context,
    lot: Annotated[str, typer.Argument(metavar="LOT")],
    qty: Annotated[str | None, typer.Option("--qty", help="How much to open (default one unit).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Open a pack: its life shortens to the product's opened shelf life."""
    s = context_of(ctx)
    opened = svc.open_pack(s, record_id(lot, "lot"), command(OpenPack, {"quantity": qty}))
    if as_json:
        print_json(opened)
        return
    print(
        f"opened {opened.quantity} {opened.unit} of {opened.sku} as lot {opened.id}, "
        f"now expires {opened.effective_expiry}"
    )


@app.command(context_settings=NUMBERS_AS_ARGS)
def move(
    ctx: typer.Context,
    lot: Annotated[str, typer.Argument(metavar="LOT")],
    quantity: Annotated[str, typer.Argument(metavar="QTY")],
    location: Annotated[str, typer.Argument(metavar="LOCATION")],
    as_json: JsonFlag = False,
) -> None:
    """Move some of a lot to another location."""
    s = context_of(ctx)
    moved = svc.move(s, record_id(lot, "lot"), command(MoveLot, {"quantity": quantity, "location": location}))
    if as_json:
        print_json(moved)
        return
    print(f"moved {moved.quantity} {moved.unit} of {moved.sku} to {moved.location} as lot {moved.id}")


@app.command(context_settings=NUMBERS_AS_ARGS)
def waste(
    ctx: typer.Context,
    lot: Annotated[str | None, typer.Argument(metavar="[LOT]")] = None,
    quantity: Annotated[str | None, typer.Argument(metavar="[QTY]")] = None,
    reason: Annotated[str | None, typer.Option(help="Why it is written off.")] = None,
    expired: Annotated[
        bool, typer.Option("--expired", help="Write off every lot past its use-by date.")
    ] = False,
    best_before: Annotated[
        bool,
        typer.Option("--include-best-before", help="With --expired: best-before lots past their date too."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="With --expired: do not ask for confirmation.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Write stock off as waste, with its cost."""
    s = context_of(ctx)
    if expired:
        if lot is not None:
            raise InvalidInput("give either --expired or a LOT, not both", field="lot")
        # First what it would take, then (once confirmed) exactly that or nothing.
        summary = svc.expired_stock(s, command(ExpiredQuery, {"include_best_before": best_before}))
        if summary.best_before_kept and not as_json:
            print(
                f"{summary.best_before_kept} best-before lot(s) past their date are kept "
                "(add --include-best-before to write them off too)",
                file=sys.stderr,
            )
        if summary.lots and not yes:
            print(f"expired: {summary.describe()}", file=sys.stderr)
            typer.confirm("Write them off as waste?", abort=True, err=True)
        written = svc.write_off_expired(
            s,
            command(
                WriteOffExpired,
                {"reason": reason, "include_best_before": best_before, "expected": summary.check},
            ),
        )
    elif lot is None:
        raise InvalidInput("give a LOT and QTY to write off, or --expired", field="lot")
    else:
        if quantity is None:
            raise InvalidInput("give the QTY to write off", field="quantity")
        cmd = command(WriteOff, {"quantity": quantity, "reason": reason})
        written = [svc.write_off(s, record_id(lot, "lot"), cmd)]
    if as_json:
        print_json(
            {"written_off": written, "cost": sum(w.cost for w in written), "currency": s.store.currency}
        )
        return
    for w in written:
        print(f"wrote off {w.quantity} of {w.sku} from lot {w.lot_id} ({w.reason}): {_money(s, w.cost)}")
    print(f"total written off: {len(written)} lot(s), {_money(s, sum(w.cost for w in written))}")


@app.command(context_settings=NUMBERS_AS_ARGS)
def count(
    ctx: typer.Context,
    lot: Annotated[str, typer.Argument(metavar="LOT")],
    quantity: Annotated[str, typer.Argument(metavar="QTY", help="What is actually there.")],
    as_json: JsonFlag = False,
) -> None:
    """Stock take: set a lot to what was counted (writes the adjustment)."""
    result = svc.count(context_of(ctx), record_id(lot, "lot"), command(CountLot, {"quantity": quantity}))
    if as_json:
        print_json(result)
        return
    print(
        f"lot {result.lot_id} counted {result.counted} (was {result.previous}): adjustment {result.adjustment}"
    )


@app.command()
def undo(
    ctx: typer.Context,
    movement: Annotated[str, typer.Argument(metavar="MOVEMENT_ID")],
    as_json: JsonFlag = False,
) -> None:
    """Reverse a movement by writing its opposite."""
    written = svc.undo(context_of(ctx), record_id(movement, "movement"))
    if as_json:
        print_json(written)
        return
    for m in written:
        print(f"movement {m.id}: {m.kind} {m.quantity} of {m.sku} on lot {m.lot_id} ({m.reason})")


@app.command(name="stock")
def stock_(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Argument(metavar="[SKU]")] = None,
    lots: Annotated[bool, typer.Option("--lots", help="Also list every lot (always, with a SKU).")] = False,
    as_json: JsonFlag = False,
) -> None:
    """On hand per product and per lot, earliest expiry first."""
    s = context_of(ctx)
    products = list(
        every(lambda cursor: views.stock(s, command(StockQuery, {"sku": code, "cursor": cursor})))
    )
    if as_json:
        print_json(products)
        return
    table(
        "Stock on hand",
        ["sku", "product", "on hand", "value", "earliest expiry", "lots"],
        [
            [p.sku, p.name, f"{p.on_hand} {p.unit}", _money(s, p.value), p.earliest_expiry, len(p.lots)]
            for p in products
        ],
    )
    if code is not None or lots:
        _lots_table(s, "Lots", [lot for p in products for lot in p.lots])


@app.command()
def expiring(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(help="Look this many days ahead.")] = 3,
    as_json: JsonFlag = False,
) -> None:
    """The expiry board: expired, due today, and due within DAYS, earliest first."""
    s = context_of(ctx)
    lots = list(
        every(lambda cursor: views.expiring(s, command(BoardQuery, {"days": days, "cursor": cursor})))
    )
    if as_json:
        print_json({"today": s.today(), "days": days, "lots": lots})
        return
    _lots_table(s, f"Expiring by {s.today()} + {days} days", lots)
    print(f"{len(lots)} lot(s), value {_money(s, sum(lot.value for lot in lots))}")


@app.command()
def ledger(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Argument(metavar="[SKU]")] = None,
    limit: Annotated[int, typer.Option(help="How many movements.")] = 50,
    cursor: Annotated[
        str | None, typer.Option(help="Continue where a full page said (its next cursor).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The stock ledger: every movement, newest first."""
    s = context_of(ctx)
    page = views.ledger(s, command(LedgerQuery, {"sku": code, "limit": limit, "cursor": cursor}))
    rows = page.items
    if as_json:
        print_json(page)
        return
    tz = s.store.tz
    table(
        "Ledger",
        ["id", "when", "kind", "sku", "lot", "qty", "cost", "reason", "by"],
        [
            [
                m.id,
                m.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                m.kind,
                m.sku,
                m.lot_id,
                m.quantity,
                _money(s, m.cost),
                m.reason,
                m.actor,
            ]
            for m in rows
        ],
    )
    if page.next_cursor:
        print(f"older movements: --cursor {page.next_cursor}", file=sys.stderr)
