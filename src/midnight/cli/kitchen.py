"""midnight kitchen: stations, the tickets waiting at each, bump and recall; `menu kitchen` marks an item."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, record_id
from midnight.cli.menu import menu_app
from midnight.cli.output import print_json, table
from midnight.commands import build
from midnight.commands.kitchen import AddStation, SetItemStation, SetStationPrinter, TicketQuery
from midnight.domain.errors import InvalidInput
from midnight.domain.kitchen import describe_wait, waited
from midnight.services import kitchen
from midnight.services.kitchen import TicketInfo

kitchen_app = typer.Typer(help="The kitchen: stations, their tickets, bump and recall.", no_args_is_help=True)
station_app = typer.Typer(help="Stations: where dishes are made (kitchen, bar).", no_args_is_help=True)
app.add_typer(kitchen_app, name="kitchen")
kitchen_app.add_typer(station_app, name="station")


@menu_app.command("kitchen")
def menu_kitchen(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE")],
    station: Annotated[str | None, typer.Option(help="The station that makes it.")] = None,
    none: Annotated[bool, typer.Option("--none", help="Not made in the kitchen: no tickets.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Which kitchen station makes a menu item (a ticket goes there when it is sold)."""
    if (station is None) == (not none):
        raise InvalidInput(
            "say --station NAME, or --none for an item not made in the kitchen", field="station"
        )
    s = context_of(ctx)
    cmd = build(SetItemStation, {"station": station})  # None: no station
    item = kitchen.set_item_station(s, code, cmd.station)
    if as_json:
        print_json(item)
        return
    if item.kitchen_station is None:
        print(f"{item.code} is not made in the kitchen")
    else:
        print(f"{item.code} is made at {item.kitchen_station}")


@station_app.command("add")
def station_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    printer: Annotated[str | None, typer.Option(help="The printer its tickets print on, by name.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a station (owner): it gets its own screen at /kitchen/NAME."""
    cmd = command(AddStation, {"name": name, "printer": printer})
    added = kitchen.add_station(context_of(ctx), cmd.name, cmd.printer)
    if as_json:
        print_json(added)
        return
    on = f", printing on {added.printer}" if added.printer else ""
    print(f"added the station {added.name}{on}")


@station_app.command("list")
def station_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The stations, with their printers and how many tickets wait at each."""
    found = kitchen.list_stations(context_of(ctx))
    if as_json:
        print_json(found)
        return
    table("Stations", ["name", "printer", "tickets"], [[s.name, s.printer or "", s.waiting] for s in found])


@station_app.command("printer")
def station_printer(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="STATION")],
    printer: Annotated[str | None, typer.Argument(metavar="PRINTER")] = None,
    none: Annotated[bool, typer.Option("--none", help="Print nothing: the screen only.")] = False,
) -> None:
    """The printer a station's tickets print on (owner), or --none."""
    if (printer is None) == (not none):
        raise InvalidInput("name the PRINTER, or say --none for the screen only", field="printer")
    cmd = build(SetStationPrinter, {"printer": printer})  # None: no printer
    done = kitchen.set_station_printer(context_of(ctx), name, cmd.printer)
    print(f"{done.name} prints on {done.printer}" if done.printer else f"{done.name} prints nothing")


def _items(ticket: TicketInfo) -> str:
    parts = []
    for item in ticket.items:
        text = f"{abs(item.quantity)} × {item.name}"
        if item.modifiers:
            text += f" ({item.modifiers})"
        if item.note:
            text += f" “{item.note}”"
        parts.append(f"CANCEL {text}" if item.quantity < 0 else text)
    return "; ".join(parts)


@kitchen_app.command("tickets")
def tickets(
    ctx: typer.Context,
    station: Annotated[str, typer.Argument(metavar="STATION")],
    cursor: Annotated[str | None, typer.Option(help="The next page (from the last one).")] = None,
    limit: Annotated[str, typer.Option(help="How many at most.")] = "50",
    as_json: JsonFlag = False,
) -> None:
    """The tickets waiting at a station, oldest first."""
    s = context_of(ctx)
    query = command(TicketQuery, {"cursor": cursor, "limit": limit})
    board = kitchen.board(s, station, cursor=query.cursor, limit=query.limit)
    if as_json:
        print_json(board.waiting)
        return
    table(
        f"{board.station.name}: {board.count} to make",
        ["ticket", "number", "for", "age", "items"],
        [
            [
                t.id,
                t.call_number or "",
                t.label or "",
                describe_wait(waited(t.created_at, board.at)),
                _items(t),
            ]
            for t in board.waiting.items
        ],
    )
    if board.waiting.next_cursor:
        print(f"more: --cursor {board.waiting.next_cursor}")


def _number(ticket: TicketInfo) -> str:
    return f" (#{ticket.call_number})" if ticket.call_number is not None else ""


@kitchen_app.command("bump")
def bump(ctx: typer.Context, ticket: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """A ticket made: off the screen."""
    done = kitchen.bump(context_of(ctx), record_id(ticket, "ticket"))
    print(f"bumped ticket {done.id}{_number(done)} at {done.station}")


@kitchen_app.command("recall")
def recall(ctx: typer.Context, ticket: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """A ticket bumped by mistake: back on the screen."""
    done = kitchen.recall(context_of(ctx), record_id(ticket, "ticket"))
    print(f"ticket {done.id}{_number(done)} is back on the screen at {done.station}")
