"""midnight location: where stock sits."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every
from midnight.cli.output import print_json, table
from midnight.commands.catalog import AddLocation, PageQuery
from midnight.services import catalog

location_app = typer.Typer(help="Locations: shelf, fridge, freezer, store room ...", no_args_is_help=True)
app.add_typer(location_app, name="location")


@location_app.command("add")
def location_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    kind: Annotated[str, typer.Option(help="shelf, fridge, freezer, store_room or other.")] = "shelf",
    as_json: JsonFlag = False,
) -> None:
    """Add a location."""
    location = catalog.add_location(context_of(ctx), command(AddLocation, {"name": name, "kind": kind}))
    if as_json:
        print_json(location)
        return
    print(f"added location {location.name} ({location.kind})")


@location_app.command("list")
def location_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List locations."""
    s = context_of(ctx)
    locations = list(every(lambda cursor: catalog.list_locations(s, command(PageQuery, {"cursor": cursor}))))
    if as_json:
        print_json(locations)
        return
    table(
        "Locations",
        ["id", "name", "kind", "store"],
        [[loc.id, loc.name, loc.kind, loc.store] for loc in locations],
    )
