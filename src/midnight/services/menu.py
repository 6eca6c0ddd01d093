"""The menu: items, their recipes of stock, prices over time, reduce-to-clear rules."""

from __future__ import annotations

from midnight.commands.till import AddMenuItem, MenuQuery, SetActive, SetMarkdown, SetPrice
from midnight.db import catalog as catalog_db
from midnight.db import menu as menu_db
from midnight.db.menu import MenuItemInfo, PriceInfo, RecipeInfo
from midnight.db.paging import Page
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.menu import check_markdown, sold_as_is
from midnight.domain.money import to_minor
from midnight.domain.people import Permission
from midnight.domain.product import barcode_spellings
from midnight.domain.product import check_code as check_product_code
from midnight.domain.quantity import SCALE
from midnight.domain.text import clean_text, fold
from midnight.services.context import Context

__all__ = [
    "MenuItemInfo",
    "PriceInfo",
    "RecipeInfo",
    "add_menu_item",
    "code_for_scan",
    "get_menu_item",
    "list_menu",
    "till_items",
]


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


def set_markdown(ctx: Context, code: str, cmd: SetMarkdown) -> MenuItemInfo:
    """Reduce to clear from now on: lots within `days` of their date sell at `percent` off (owner).
    Orders already placed keep what they were charged."""
    ctx.require(Permission.PRICES)
    with ctx.db.write() as conn:
        item = menu_db.menu_item(conn, code, ctx.now(), active_only=False)
        menu_db.set_markdown(conn, item.id, check_markdown(cmd.days, cmd.percent, len(item.recipe)))
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


def till_items(ctx: Context, text: str | None, limit: int = 200) -> list[MenuItemInfo]:
    """What the till's grid shows: every item on sale, or those a search finds by name (any language,
    any case or width) or by code."""
    ctx.require(Permission.SELL)
    key = fold(clean_text(text, "search", limit=64)) if text and text.strip() else None
    with ctx.db.read() as conn:
        return menu_db.till_items(conn, key=key, currency=ctx.store.currency, limit=limit)


def code_for_scan(ctx: Context, scanned: str) -> str:
    """The menu item a scanned barcode (or a typed menu code) sells.

    A barcode picks the item that hands over one whole unit of its product (a tin); a product sold
    only inside dishes, or on several such items, is refused with what to do instead.
    """
    ctx.require(Permission.SELL)
    text = str(scanned).strip()
    with ctx.db.read() as conn:
        if not text.isdigit():
            return menu_db.menu_item(conn, text, ctx.now()).code
        code = check_product_code(text)
        found: dict[int, str] = {}
        for spelling in barcode_spellings(code):  # a UPC-A scanned as EAN-13 has a leading 0
            found.update(menu_db.items_for_barcode(conn, spelling))
        recipes = menu_db.recipes(conn, sorted(found))
    whole = [found[i] for i in sorted(found) if sold_as_is(recipes[i]) and recipes[i][0].milli == SCALE]
    if len(whole) == 1:
        return whole[0]
    if not whole and found:
        raise NotFound(
            f"barcode {text} is only used in dishes, not sold on its own; choose the item on the screen",
            field="scan",
        )
    if not whole:
        raise NotFound(f"no item on the menu has barcode {text}; choose the item on the screen", field="scan")
    raise Conflict(f"barcode {text} is sold as {', '.join(whole)}; choose one on the screen", field="scan")


def names(ctx: Context, codes: list[str]) -> dict[str, str]:
    """The names of the menu items with these codes (unknown codes left out): a line the till can't
    price yet still shows what it is."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return menu_db.names(conn, codes)
