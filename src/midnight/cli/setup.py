"""Setting up: midnight init, import, demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of
from midnight.cli.output import print_json
from midnight.cli.user import read_password
from midnight.commands.people import AddUser
from midnight.domain.errors import Conflict
from midnight.services import people
from midnight.services.demo import load_demo
from midnight.services.importer import import_csv


@app.command()
def init(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option(help="Create this owner (the first user).")] = None,
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="The owner's password, first line of this file.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create or upgrade the database and the default store; the first time, its owner."""
    s = context_of(ctx)
    if people.count_users(s) == 0:
        if owner is None and sys.stdin.isatty():
            owner = typer.prompt("Owner's user name")
        if owner is not None:
            new = command(AddUser, {"name": owner, "role": "owner", "password": read_password(password_file)})
            user = people.add_user(s, new)
            print(f"owner {user.name} created", file=sys.stderr)
    elif owner is not None:
        raise Conflict("this database already has users: add more with 'midnight user add'", field="owner")
    store = s.store
    info = {
        "store": store.name,
        "timezone": str(store.tz),
        "currency": store.currency,
        "locale": store.locale,
    }
    if as_json:
        print_json(info)
        return
    print(f"database ready: store {store.name} ({store.tz}, {store.currency})")


@app.command(name="import")
def import_(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(metavar="FILE.csv", help="products.csv or lots.csv")],
    as_json: JsonFlag = False,
) -> None:
    """Import products or lots from CSV: every row or none."""
    result = import_csv(context_of(ctx), path)
    if as_json:
        print_json(result)
        return
    print(f"imported {result.rows} {result.kind}")


@app.command()
def demo(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(help="Days of history to make.", min=1, max=365)] = 90,
) -> None:
    """Load the Midnight Express demo shop into an empty database."""
    result = load_demo(context_of(ctx), days)
    print(f"demo loaded: {result.products} products, {result.days} days, {result.movements} movements")
