"""midnight menu: what the till sells, its recipes and prices."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every, fail, sku_quantities
from midnight.cli.output import print_json, table
from midnight.commands.till import AddMenuItem, MenuQuery, SetActive, SetMarkdown, SetPrice
from midnight.services import menu as menu_svc

menu_app = typer.Typer(help="The menu: what the till sells, its recipes and prices.", no_args_is_help=True)
app.add_typer(menu_app, name="menu")


def _recipe(values: list[str]) -> list[dict[str, str]]:
    return sku_quantities(values, "recipe")


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
    s = context_of(ctx)
    new = command(
        AddMenuItem,
        {
            "code": code,
            "name": name,
            "price": price,
            "category": category,
            "recipe": _recipe(recipe) if recipe else None,
            "product": product,
            "restockable": restockable,
            "markdown_days": markdown_days,
            "markdown_percent": markdown_percent,
        },
    )
    item = menu_svc.add_menu_item(s, new)
    if as_json:
        print_json(item)
        return
    print(f"added {item.code}: {item.name} at {s.money(item.price)}")


@menu_app.command("list")
def menu_list(
    ctx: typer.Context,
    all_items: Annotated[bool, typer.Option("--all", help="Include items not on sale.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The menu."""
    s = context_of(ctx)
    items = list(
        every(lambda cursor: menu_svc.list_menu(s, command(MenuQuery, {"all": all_items, "cursor": cursor})))
    )
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
                s.money(i.price),
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
    print(f"{item.code}  {item.name}  {s.money(item.price)}  ({'on sale' if item.active else 'not on sale'})")
    for r in item.recipe:
        print(f"  {r.quantity} {r.unit} {r.sku} ({r.product})")
    if item.kitchen_station is not None:
        print(f"  made at: {item.kitchen_station} (a kitchen ticket when sold)")
    if item.markdown_days is not None:
        print(
            f"  reduce to clear: {item.markdown_percent}% off from {item.markdown_days} day(s) before expiry"
        )
    for p in item.prices:
        print(
            f"  price {s.money(p.price)} from {p.effective_at.astimezone(s.store.tz):%Y-%m-%d %H:%M} by {p.actor}"
        )


@menu_app.command("price")
def menu_price(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE")],
    price: Annotated[str, typer.Argument(metavar="PRICE")],
) -> None:
    """Set a new price from now on (past orders keep theirs)."""
    s = context_of(ctx)
    item = menu_svc.set_price(s, code, command(SetPrice, {"price": price}))
    print(f"{item.code} now {s.money(item.price)}")


@menu_app.command("markdown")
def menu_markdown(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE")],
    days: Annotated[str | None, typer.Option(help="From this many days before a lot's date.")] = None,
    percent: Annotated[str | None, typer.Option(help="Percent off, e.g. 30.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="No reduce-to-clear for this item.")] = False,
) -> None:
    """Reduce to clear: sell an item's lots near their date at a percentage off, from now on."""
    s = context_of(ctx)
    if clear and (days is not None or percent is not None):
        fail("give --days and --percent, or --clear, not both")
    given = {} if clear else {"days": days, "percent": percent}
    item = menu_svc.set_markdown(
        s, code, command(SetMarkdown, {k: v for k, v in given.items() if v is not None})
    )
    if item.markdown_days is None:
        print(f"{item.code}: no reduce to clear")
    else:
        print(f"{item.code}: {item.markdown_percent}% off from {item.markdown_days} day(s) before expiry")


@menu_app.command("off")
def menu_off(ctx: typer.Context, code: Annotated[str, typer.Argument(metavar="CODE")]) -> None:
    """Take an item off the menu: the till stops selling it (past orders keep it)."""
    s = context_of(ctx)
    item = menu_svc.set_active(s, code, SetActive(active=False))
    print(f"{item.code} is off the menu")


@menu_app.command("on")
def menu_on(ctx: typer.Context, code: Annotated[str, typer.Argument(metavar="CODE")]) -> None:
    """Put an item back on the menu."""
    s = context_of(ctx)
    item = menu_svc.set_active(s, code, SetActive(active=True))
    print(f"{item.code} is on the menu again at {s.money(item.price)}")
