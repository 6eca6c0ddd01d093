"""midnight lot: one lot — its details and the history of its expiry date, and correcting that date."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import NUMBERS_AS_ARGS, JsonFlag, app, command, context_of, every, record_id
from midnight.cli.output import money, print_json, status, table
from midnight.commands.catalog import PageQuery
from midnight.commands.stock import CorrectExpiry
from midnight.services import stock as svc
from midnight.services import views

lot_app = typer.Typer(help="One lot: its details, and correcting its expiry date.", no_args_is_help=True)
app.add_typer(lot_app, name="lot")


@lot_app.command("show", context_settings=NUMBERS_AS_ARGS)
def lot_show(
    ctx: typer.Context,
    lot: Annotated[str, typer.Argument(metavar="LOT")],
    as_json: JsonFlag = False,
) -> None:
    """A lot: what it holds, its dates (as received and as corrected) and every expiry correction."""
    s = context_of(ctx)
    lot_id = record_id(lot, "lot")
    info = views.get_lot(s, lot_id)
    corrections = list(
        every(lambda cursor: views.expiry_corrections(s, lot_id, command(PageQuery, {"cursor": cursor})))
    )
    if as_json:
        print_json({"lot": info, "expiry_corrections": corrections})
        return
    value = money(info.value, s.store.currency, s.store.locale)
    print(
        f"lot {info.id}: {info.quantity} {info.unit} of {info.sku} ({info.product}) in {info.location}, "
        f"value {value}"
    )
    corrected = f", corrected to {info.corrected_expiry}" if info.corrected_expiry else ""
    print(
        f"received with expiry {info.expiry_date}{corrected}; expires {info.effective_expiry} "
        f"[{status(info.status.value)}]"
    )
    if corrections:
        tz = s.store.tz
        table(
            "Expiry corrections",
            ["when", "by", "from", "to", "why"],
            [
                [c.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), c.actor, c.from_date, c.to_date, c.reason]
                for c in corrections
            ],
        )


@lot_app.command("expiry", context_settings=NUMBERS_AS_ARGS)
def lot_expiry(
    ctx: typer.Context,
    lot: Annotated[str, typer.Argument(metavar="LOT")],
    date: Annotated[str, typer.Argument(metavar="DATE", help="The correct expiry date, YYYY-MM-DD.")],
    reason: Annotated[str | None, typer.Option(help="Why the date is corrected (required).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Correct a lot's expiry date: recorded as an event (who, when, from, to, why); the date as
    received is kept, and FEFO, the board and the digest use the corrected one."""
    s = context_of(ctx)
    done = svc.correct_lot_expiry(
        s, record_id(lot, "lot"), command(CorrectExpiry, {"expires": date, "reason": reason})
    )
    if as_json:
        print_json(done)
        return
    c = done.correction
    print(
        f"lot {c.lot_id}: expiry corrected from {c.from_date} to {c.to_date} ({c.reason}); "
        f"now expires {done.lot.effective_expiry}"
    )
