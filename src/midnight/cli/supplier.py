"""midnight supplier: who the shop buys from, when they deliver, and what each sells it (owner)."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every
from midnight.cli.output import print_json, table
from midnight.commands.catalog import PageQuery
from midnight.commands.purchasing import AddSupplier, EditSupplier, SupplierQuery, SupplyProduct
from midnight.db.paging import Page
from midnight.services import purchasing_views, suppliers
from midnight.services.context import Context
from midnight.services.purchasing_views import SupplierShown
from midnight.services.suppliers import SupplierProduct

supplier_app = typer.Typer(
    help="Suppliers: delivery days, lead time, minimum order, where orders go, what each sells the shop.",
    no_args_is_help=True,
)
app.add_typer(supplier_app, name="supplier")

SupplierArg = Annotated[str, typer.Argument(metavar="SUPPLIER", help="Name (any case) or number.")]
DaysOption = Annotated[
    str | None, typer.Option("--days", help="Delivery days, e.g. mon,thu (a name or 0-6 from Monday).")
]
LeadOption = Annotated[str | None, typer.Option("--lead-time", help="Days from ordering to delivery.")]
MinimumOption = Annotated[str | None, typer.Option("--minimum", help="The least an order may cost.")]
ContactOption = Annotated[
    list[str] | None,
    typer.Option("--contact", help="Apprise URL an order is sent to, e.g. mailto://... (repeat)."),
]


def _days(text: str | None) -> list[str] | None:
    return None if text is None else [d for d in text.replace(",", " ").split() if d]


def _print_supplier(s: Context, found: SupplierShown) -> None:
    state = "" if found.active else " (no longer ordered from)"
    print(
        f"supplier {found.id}: {found.name}{state}; delivers {', '.join(found.delivery_days)}, "
        f"{found.lead_time_days} day(s) after ordering; minimum order {s.money(found.minimum_order)}"
    )
    print(f"  orders go to: {', '.join(found.contacts) or 'no address (by phone or on paper)'}")
    if found.note:
        print(f"  note: {found.note}")


@supplier_app.command("add")
def supplier_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    days: DaysOption = None,
    lead_time: LeadOption = None,
    minimum: MinimumOption = None,
    contact: ContactOption = None,
    note: Annotated[str | None, typer.Option()] = None,
    language: Annotated[str | None, typer.Option(help="Of the order's message: en or zh-Hant.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a supplier (owner)."""
    s = context_of(ctx)
    cmd = command(
        AddSupplier,
        {
            "name": name,
            "delivery_days": _days(days),
            "lead_time_days": lead_time,
            "minimum_order": minimum,
            "contacts": contact,
            "note": note,
            "language": language,
        },
    )
    found = purchasing_views.supplier(suppliers.add_supplier(s, cmd), s.store.currency)
    if as_json:
        print_json(found)
        return
    _print_supplier(s, found)


@supplier_app.command("edit")
def supplier_edit(
    ctx: typer.Context,
    supplier: SupplierArg,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    days: DaysOption = None,
    lead_time: LeadOption = None,
    minimum: MinimumOption = None,
    contact: ContactOption = None,
    no_contacts: Annotated[
        bool, typer.Option("--no-contacts", help="Forget every address (orders by phone).")
    ] = False,
    note: Annotated[str | None, typer.Option()] = None,
    language: Annotated[str | None, typer.Option()] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Ordered from, or no longer (kept for history)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a supplier: only what is given; --contact replaces the addresses (owner)."""
    s = context_of(ctx)
    cmd = command(
        EditSupplier,
        {
            "name": name,
            "delivery_days": _days(days),
            "lead_time_days": lead_time,
            "minimum_order": minimum,
            "contacts": [] if no_contacts else contact,
            "note": note,
            "language": language,
            "active": active,
        },
    )
    found = purchasing_views.supplier(suppliers.edit_supplier(s, supplier, cmd), s.store.currency)
    if as_json:
        print_json(found)
        return
    _print_supplier(s, found)


@supplier_app.command("list")
def supplier_list(
    ctx: typer.Context,
    all_suppliers: Annotated[
        bool, typer.Option("--all", help="Include those no longer ordered from.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Suppliers by name (owner)."""
    s = context_of(ctx)
    found = [
        purchasing_views.supplier(x, s.store.currency)
        for x in every(
            lambda cursor: suppliers.list_suppliers(
                s, command(SupplierQuery, {"all": all_suppliers, "cursor": cursor})
            )
        )
    ]
    if as_json:
        print_json(found)
        return
    table(
        "Suppliers",
        ["#", "name", "delivers", "lead days", "minimum", "orders go to", "active"],
        [
            [
                x.id,
                x.name,
                ", ".join(x.delivery_days),
                x.lead_time_days,
                s.money(x.minimum_order),
                ", ".join(x.contacts) or "-",
                "yes" if x.active else "no",
            ]
            for x in found
        ],
    )


@supplier_app.command("show")
def supplier_show(ctx: typer.Context, supplier: SupplierArg, as_json: JsonFlag = False) -> None:
    """A supplier and everything it sells the shop (owner)."""
    s = context_of(ctx)
    first = suppliers.supplier_detail(s, supplier, PageQuery())
    info = purchasing_views.supplier(first.supplier, s.store.currency)

    def page(cursor: str | None) -> Page[SupplierProduct]:
        if cursor is None:
            return first.products
        return suppliers.supplier_detail(s, str(info.id), command(PageQuery, {"cursor": cursor})).products

    products = [purchasing_views.supplied(p, s.store.currency) for p in every(page)]
    if as_json:
        print_json({"supplier": info, "products": products})
        return
    _print_supplier(s, info)
    table(
        None,
        ["SKU", "product", "pack", "unit cost", "their code"],
        [[p.sku, p.name, f"{p.pack_size} {p.unit}", s.money(p.unit_cost), p.supplier_code] for p in products],
    )


@supplier_app.command("supply")
def supplier_supply(
    ctx: typer.Context,
    supplier: SupplierArg,
    sku: Annotated[str, typer.Argument(metavar="SKU", help="SKU or barcode.")],
    cost: Annotated[str, typer.Option(help="Cost of one unit (not one pack), e.g. 14.50.")],
    pack: Annotated[str | None, typer.Option(help="Units in a pack: an order is whole packs.")] = None,
    code: Annotated[str | None, typer.Option(help="The supplier's own code for it.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The supplier sells the shop this product, in packs, at a unit cost; again: new terms (owner)."""
    s = context_of(ctx)
    cmd = command(SupplyProduct, {"sku": sku, "pack_size": pack, "cost": cost, "supplier_code": code})
    found = purchasing_views.supplied(suppliers.supply_product(s, supplier, cmd), s.store.currency)
    if as_json:
        print_json(found)
        return
    their = f" (their code {found.supplier_code})" if found.supplier_code else ""
    print(
        f"{found.sku} {found.name}: packs of {found.pack_size} {found.unit} at "
        f"{s.money(found.unit_cost)} a unit{their}"
    )


@supplier_app.command("unsupply")
def supplier_unsupply(
    ctx: typer.Context,
    supplier: SupplierArg,
    sku: Annotated[str, typer.Argument(metavar="SKU", help="SKU or barcode.")],
) -> None:
    """The supplier no longer sells the shop this product (owner); orders made keep their lines."""
    suppliers.stop_supplying(context_of(ctx), supplier, sku)
    print(f"{supplier} no longer supplies {sku}")
