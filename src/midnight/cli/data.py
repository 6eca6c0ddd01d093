"""Setting up: init, import, demo."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, shop
from midnight.cli.output import print_json
from midnight.services.demo import load_demo
from midnight.services.importer import import_csv


@app.command()
def init(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Create or upgrade the database and the default store."""
    s = shop(ctx)
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
    result = import_csv(shop(ctx), path)
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
    result = load_demo(shop(ctx), days)
    print(f"demo loaded: {result.products} products, {result.days} days, {result.movements} movements")
