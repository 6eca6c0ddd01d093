"""midnight till add / list / set: the places orders are rung, each with its receipt printer, the pin
its cash drawer opens on, and whether every sale prints."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of
from midnight.cli.output import print_json, table
from midnight.commands.printing import AddTill, SetTill
from midnight.services import printing, tills
from midnight.services.tills import TillInfo

till_app = typer.Typer(
    help="Tills: the places orders are rung, and the browsers set up as them.", no_args_is_help=True
)
app.add_typer(till_app, name="till")


def _say(till: TillInfo) -> str:
    printer = f"prints on {till.receipt_printer}" if till.receipt_printer else "no receipt printer"
    drawer = f"drawer on pin {till.drawer_pin}" if till.drawer_pin else "no cash drawer"
    every = "prints every sale" if till.auto_print else "prints when asked"
    return f"{till.name}: {printer}, {drawer}, {every}"


@till_app.command("add")
def till_add(
    ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")], as_json: JsonFlag = False
) -> None:
    """Add a till (owner)."""
    added = tills.add_till(context_of(ctx), command(AddTill, {"name": name}).name)
    if as_json:
        print_json(added)
        return
    print(f"added till {added.name}")


@till_app.command("list")
def till_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The tills, with their printers and drawers."""
    found = tills.list_tills(context_of(ctx))
    if as_json:
        print_json(found)
        return
    table(
        "Tills",
        ["name", "receipt printer", "drawer pin", "prints every sale"],
        [
            [t.name, t.receipt_printer or "", t.drawer_pin or "", "yes" if t.auto_print else "no"]
            for t in found
        ],
    )


@till_app.command("set")
def till_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    printer: Annotated[
        str | None, typer.Option("--printer", help="Its receipt printer, by name ('none': no printer).")
    ] = None,
    drawer_pin: Annotated[
        str | None,
        typer.Option("--drawer-pin", metavar="2|5|none", help="The pin its cash drawer is kicked on."),
    ] = None,
    auto_print: Annotated[
        bool | None,
        typer.Option("--auto-print/--no-auto-print", help="Print every sale's receipt by itself."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Set a till's receipt printer, cash drawer and auto-print (owner); only what is given changes."""
    cmd = command(SetTill, {"printer": printer, "drawer_pin": drawer_pin, "auto_print": auto_print})
    done = printing.set_till(context_of(ctx), name, cmd)
    if as_json:
        print_json(done)
        return
    print(_say(done))
