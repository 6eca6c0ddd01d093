"""The menu: items, their recipes of stock, prices over time, reduce-to-clear rules."""

from __future__ import annotations

from midnight.commands.till import AddMenuItem, MenuQuery, SetActive, SetPrice
from midnight.db import catalog as catalog_db
from midnight.db import menu as menu_db
from midnight.db.menu import MenuItemInfo, PriceInfo, RecipeInfo
from midnight.db.paging import Page
from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.menu import check_markdown
from midnight.domain.money import to_minor
from midnight.domain.people import Permission
from midnight.services.context import Context

__all__ = ["MenuItemInfo", "PriceInfo", "RecipeInfo", "add_menu_item", "get_menu_item", "list_menu"]


def add_menu_item(ctx: Context, cmd: AddMenuItem) -> MenuItemInfo:
    """Add a menu item. `product` sells one stocked product 1:1; `recipe` lists products and quantities."""
    ctx.require(Permission.PRICES)
    price = to_minor(cmd.price, ctx.store.currency, field="price")
    lines = (
        [(cmd.product, 1000)] if cmd.product is not None else [(r.sku, r.quantity) for r in cmd.recipe or []]
    )
    rule = check_markdown(cmd.markdown_days, cmd.markdown_percent, len(lines))
    now = ctx.now()
    with ctx.db.write() as conn:
        if menu_db.code_taken(conn, cmd.code):
            raise Conflict(f"menu item {cmd.code} already exists", field="code")
        products = [(catalog_db.product_by_code(conn, sku).id, milli) for sku, milli in lines]
        if len({product_id for product_id, _ in products}) != len(products):
            raise InvalidInput("a recipe names the same product twice", field="recipe")
        item_id = menu_db.insert_item(
            conn,
            code=cmd.code,
            name=cmd.name,
            category=cmd.category,
            # By default a single product sold as is (a tin) goes back on the shelf; a dish does not.
            restockable=cmd.restockable if cmd.restockable is not None else cmd.product is not None,
            markdown=rule,
            recipe=products,
            price=price,
            now=now,
            actor=ctx.actor,
        )
        return menu_db.item_infos(conn, [item_id], ctx.store.currency)[0]


def set_price(ctx: Context, code: str, cmd: SetPrice) -> MenuItemInfo:
    """A new price from now on; orders already placed keep the price they were sold at."""
    ctx.require(Permission.PRICES)
    price = to_minor(cmd.price, ctx.store.currency, field="price")
    with ctx.db.write() as conn:
        item = menu_db.menu_item(conn, code, ctx.now(), active_only=False)
        menu_db.insert_price(conn, item.id, price, ctx.now(), ctx.actor)
        return menu_db.item_infos(conn, [item.id], ctx.store.currency)[0]


def set_active(ctx: Context, code: str, cmd: SetActive) -> MenuItemInfo:
    ctx.require(Permission.PRICES)
    with ctx.db.write() as conn:
        item = menu_db.menu_item(conn, code, ctx.now(), active_only=False)
        menu_db.set_active(conn, item.id, cmd.active)
        return menu_db.item_infos(conn, [item.id], ctx.store.currency)[0]


def list_menu(ctx: Context, query: MenuQuery) -> Page[MenuItemInfo]:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        return menu_db.menu(
            conn,
            include_inactive=query.include_inactive,
            currency=ctx.store.currency,
            cursor=query.cursor,
            limit=query.limit,
        )


def get_menu_item(ctx: Context, code: str) -> MenuItemInfo:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        item = menu_db.menu_item(conn, code, ctx.now(), active_only=False)
        return menu_db.item_infos(conn, [item.id], ctx.store.currency)[0]
