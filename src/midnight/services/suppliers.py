"""Suppliers: who the shop buys from, when they deliver, where orders go, and what each sells it.

Owner only (Permission.PURCHASE). Contact addresses are checked and sealed before the write
transaction, as staff targets are: a supplier's address may be any kind Apprise knows, but not one on
the shop's own network unless the owner allowed that.
"""

from __future__ import annotations

from dataclasses import dataclass

from midnight.adapters.contacts import check_contact
from midnight.commands.catalog import PageQuery
from midnight.commands.purchasing import (
    AddSupplier,
    EditSupplier,
    ServiceLevelIn,
    SupplierQuery,
    SupplyProduct,
)
from midnight.db import catalog as catalog_db
from midnight.db import purchasing as db
from midnight.db.paging import Page
from midnight.db.purchasing import SupplierInfo, SupplierProduct
from midnight.domain import purchasing as rules
from midnight.domain.errors import InvalidInput
from midnight.domain.lot import check_whole_units
from midnight.domain.money import to_minor
from midnight.domain.people import Permission
from midnight.services.context import Context
from midnight.services.customers import contact_policy

__all__ = ["SupplierInfo", "SupplierProduct"]


@dataclass(frozen=True)
class SupplierDetail:
    supplier: SupplierInfo
    products: Page[SupplierProduct]


def _sealed_contacts(ctx: Context, urls: list[str]) -> list[tuple[str, str]]:
    with ctx.db.read() as conn:
        policy = contact_policy(conn, ctx.store.id)
    sealed: list[tuple[str, str]] = []
    for i, url in enumerate(urls, start=1):
        try:
            contact = check_contact(url, policy, any_scheme=True)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field=f"contacts.{i}") from None
        entry = (ctx.adapters.box.seal(contact.same_as), contact.display)
        if entry[0] in {s for s, _ in sealed}:
            raise InvalidInput(f"{contact.display} is given twice", field=f"contacts.{i}")
        sealed.append(entry)
    return sealed


def add_supplier(ctx: Context, cmd: AddSupplier) -> SupplierInfo:
    ctx.require(Permission.PURCHASE)
    days = rules.parse_weekdays(cmd.delivery_days)
    minimum = to_minor(cmd.minimum_order, ctx.store.currency, field="minimum_order")
    contacts = _sealed_contacts(ctx, cmd.contacts)
    with ctx.db.write() as conn:
        supplier_id = db.insert_supplier(
            conn,
            name=rules.check_supplier_name(cmd.name),
            delivery_days=days,
            lead_time_days=rules.check_lead_time(cmd.lead_time_days),
            minimum_order=minimum,
            note=cmd.note,
            language=cmd.language,
            now=ctx.now(),
        )
        db.replace_contacts(conn, supplier_id, contacts)
        return db.supplier(conn, supplier_id)


def edit_supplier(ctx: Context, ref: str, cmd: EditSupplier) -> SupplierInfo:
    ctx.require(Permission.PURCHASE)
    values: dict[str, object] = {}
    if cmd.name is not None:
        values["name"] = rules.check_supplier_name(cmd.name)
    if cmd.delivery_days is not None:
        values["delivery_days"] = rules.parse_weekdays(cmd.delivery_days)
    if cmd.lead_time_days is not None:
        values["lead_time_days"] = rules.check_lead_time(cmd.lead_time_days)
    if cmd.minimum_order is not None:
        values["minimum_order"] = to_minor(cmd.minimum_order, ctx.store.currency, field="minimum_order")
    if cmd.note is not None:
        values["note"] = cmd.note
    if cmd.language is not None:
        values["language"] = cmd.language
    if cmd.active is not None:
        values["active"] = cmd.active
    contacts = None if cmd.contacts is None else _sealed_contacts(ctx, cmd.contacts)
    with ctx.db.write() as conn:
        supplier_id = db.supplier_id_by_name(conn, ref)
        if values:
            db.update_supplier(conn, supplier_id, values)
        if contacts is not None:
            db.replace_contacts(conn, supplier_id, contacts)
        return db.supplier(conn, supplier_id)


def list_suppliers(ctx: Context, query: SupplierQuery) -> Page[SupplierInfo]:
    ctx.require(Permission.PURCHASE)
    with ctx.db.read() as conn:
        return db.suppliers(conn, active_only=not query.all, cursor=query.cursor, limit=query.limit)


def supplier_detail(ctx: Context, ref: str, query: PageQuery) -> SupplierDetail:
    ctx.require(Permission.PURCHASE)
    with ctx.db.read() as conn:
        supplier_id = db.supplier_id_by_name(conn, ref)
        return SupplierDetail(
            db.supplier(conn, supplier_id),
            db.supplier_products(conn, supplier_id, cursor=query.cursor, limit=query.limit),
        )


def supply_product(ctx: Context, ref: str, cmd: SupplyProduct) -> SupplierProduct:
    """Set what a supplier sells the shop (added, or its pack, cost or code changed)."""
    ctx.require(Permission.PURCHASE)
    unit_cost = to_minor(cmd.cost, ctx.store.currency, field="cost")
    with ctx.db.write() as conn:
        supplier_id = db.supplier_id_by_name(conn, ref)
        product = catalog_db.product_by_code(conn, cmd.sku)
        check_whole_units(product.unit, cmd.pack_size, product.sku, field="pack_size")
        db.set_supplier_product(
            conn,
            supplier_id,
            product.id,
            pack_size=cmd.pack_size,
            unit_cost=unit_cost,
            supplier_code=cmd.supplier_code,
        )
        found = db.supplier_product(conn, supplier_id, product.id)
        assert found is not None
        return found


def stop_supplying(ctx: Context, ref: str, sku: str) -> None:
    ctx.require(Permission.PURCHASE)
    with ctx.db.write() as conn:
        supplier_id = db.supplier_id_by_name(conn, ref)
        product = catalog_db.product_by_code(conn, sku)
        db.remove_supplier_product(conn, supplier_id, product.id)


def set_service_level(ctx: Context, cmd: ServiceLevelIn) -> int | None:
    """A product's service level in thousandths (None: from its margin)."""
    ctx.require(Permission.PURCHASE)
    level = None if cmd.percent is None else int(cmd.percent * 10)
    with ctx.db.write() as conn:
        product = catalog_db.product_by_code(conn, cmd.sku)
        catalog_db.set_service_level(conn, product.id, level)
    return level
