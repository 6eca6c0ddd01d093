"""midnight product: what the shop stocks."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every
from midnight.cli.output import money, print_json, status, table
from midnight.commands.catalog import AddProduct, PageQuery
from midnight.commands.purchasing import ServiceLevelIn
from midnight.domain.quantity import format_quantity
from midnight.services import catalog, purchasing_views, suppliers, views

product_app = typer.Typer(help="Products: what the shop stocks.", no_args_is_help=True)
app.add_typer(product_app, name="product")


@product_app.command("add")
def product_add(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(metavar="SKU")],
    name: Annotated[str, typer.Argument(metavar="NAME")],
    unit: Annotated[str, typer.Option(help="each, kg, l ...")] = "each",
    barcode: Annotated[str | None, typer.Option(help="EAN-13, EAN-8 or UPC-A.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="use_by (never sold after) or best_before.")] = "use_by",
    shelf_life: Annotated[
        str | None, typer.Option("--shelf-life", help="Default shelf life in days.")
    ] = None,
    opened_shelf_life: Annotated[
        str | None, typer.Option("--opened-shelf-life", help="Days it keeps once opened.")
    ] = None,
    reorder_point: Annotated[str | None, typer.Option("--reorder-point", help="Low-stock level.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a product."""
    new = command(
        AddProduct,
        {
            "sku": sku,
            "name": name,
            "unit": unit,
            "barcode": barcode,
            "expiry_kind": kind,
            "shelf_life_days": shelf_life,
            "opened_shelf_life_days": opened_shelf_life,
            "reorder_point": reorder_point,
        },
    )
    product = catalog.add_product(context_of(ctx), new)
    if as_json:
        print_json(product)
        return
    print(f"added {product.sku}: {product.name}")


@product_app.command("list")
def product_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List products."""
    s = context_of(ctx)
    products = list(every(lambda cursor: catalog.list_products(s, command(PageQuery, {"cursor": cursor}))))
    if as_json:
        print_json(products)
        return
    table(
        "Products",
        ["sku", "name", "unit", "barcode", "expiry", "shelf life", "opened life", "reorder at"],
        [
            [
                p.sku,
                p.name,
                p.unit,
                p.barcode,
                p.expiry_kind.value,
                p.shelf_life_days,
                p.opened_shelf_life_days,
                format_quantity(p.reorder_point) if p.reorder_point is not None else None,
            ]
            for p in products
        ],
    )


@product_app.command("show")
def product_show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="SKU", help="SKU or barcode.")],
    as_json: JsonFlag = False,
) -> None:
    """Show a product and its lots."""
    s = context_of(ctx)
    product = catalog.get_product(s, code)
    on_hand = views.product_stock(s, product.sku)
    if as_json:
        print_json({"product": product, "stock": on_hand})
        return
    print(f"{product.sku}  {product.name}")
    print(
        f"  unit {product.unit}, barcode {product.barcode or '-'}, {product.expiry_kind.value}, "
        f"shelf life {product.shelf_life_days or '-'} d, once opened {product.opened_shelf_life_days or '-'} d"
    )
    print(
        f"  on hand {on_hand.on_hand} {product.unit}, value "
        f"{money(on_hand.value, s.store.currency, s.store.locale)}"
    )
    table(
        None,
        ["lot", "qty", "location", "expires", "status", "supplier"],
        [
            [lot.id, lot.quantity, lot.location, lot.effective_expiry, status(lot.status.value), lot.supplier]
            for lot in on_hand.lots
        ],
    )


@product_app.command("service-level")
def product_service_level(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(metavar="SKU", help="SKU or barcode.")],
    percent: Annotated[
        str, typer.Argument(metavar="PERCENT", help="50 to 99.5, or 'margin' to size orders from the margin.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """The share of demand a suggested order covers for this product (owner)."""
    s = context_of(ctx)
    cmd = command(ServiceLevelIn, {"sku": sku, "percent": None if percent.lower() == "margin" else percent})
    found = purchasing_views.service_level(cmd.sku, suppliers.set_service_level(s, cmd))
    if as_json:
        print_json(found)
        return
    if found.percent is None:
        print(f"{found.sku}: orders cover demand as its margin says")
    else:
        print(f"{found.sku}: orders cover {found.percent}% of demand")
