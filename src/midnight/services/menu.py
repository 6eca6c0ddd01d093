"""The menu: items, their recipes of stock, prices over time, reduce-to-clear rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from midnight.db import repo
from midnight.db import tables as t
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.menu import Markdown, RecipeLine, check_code, check_markdown
from midnight.domain.money import parse_money
from midnight.domain.people import Permission
from midnight.domain.pricing import parse_percent
from midnight.domain.product import check_name
from midnight.domain.quantity import parse_quantity, to_decimal
from midnight.services.context import Context


@dataclass(frozen=True)
class RecipeInfo:
    sku: str
    product: str
    unit: str
    quantity: Decimal


@dataclass(frozen=True)
class PriceInfo:
    price: int
    effective_at: dt.datetime
    actor: str


@dataclass(frozen=True)
class MenuItemInfo:
    id: int
    code: str
    name: str
    category: str
    active: bool
    restockable: bool
    price: int
    currency: str
    recipe: list[RecipeInfo]
    markdown_days: int | None
    markdown_percent: Decimal | None
    prices: list[PriceInfo]


@dataclass(frozen=True)
class MenuItem:
    """What the till needs to sell an item: its recipe, price now, and markdown rule."""

    id: int
    code: str
    name: str
    active: bool
    restockable: bool
    price: int
    recipe: list[RecipeLine]
    markdown: Markdown | None


def _parse_recipe(recipe: list[tuple[str, str]]) -> list[tuple[str, int]]:
    if not recipe:
        raise InvalidInput(
            "a menu item needs a recipe (--recipe SKU=QTY) or a product (--product SKU)", field="recipe"
        )
    parsed = []
    for sku, quantity in recipe:
        parsed.append((sku, parse_quantity(quantity, field=f"recipe quantity of {sku}")))
    return parsed


def add_menu_item(
    ctx: Context,
    code: str,
    name: str,
    price: str | Decimal | int,
    *,
    category: str = "",
    recipe: list[tuple[str, str]] | None = None,
    product: str | None = None,
    restockable: bool | None = None,
    markdown_days: int | str | None = None,
    markdown_percent: str | Decimal | None = None,
) -> MenuItemInfo:
    """Add a menu item. `product` sells one stocked product 1:1; `recipe` lists SKU=quantity pairs."""
    ctx.require(Permission.PRICES)
    key = check_code(code)
    title = check_name(name)
    amount = parse_money(price, ctx.store.currency, field="price")
    if product is not None and recipe:
        raise InvalidInput("give either a product (sold 1:1) or a recipe, not both", field="recipe")
    lines = _parse_recipe([(product, "1")] if product is not None else (recipe or []))
    percent = (
        parse_percent(markdown_percent, field="markdown_percent")
        if markdown_percent not in (None, "")
        else None
    )
    group = (category or "").strip()
    if len(group) > 64:
        raise InvalidInput("category must be at most 64 characters", field="category")
    now = ctx.now()
    with ctx.db.write() as conn:
        if conn.execute(select(t.menu_items.c.id).where(t.menu_items.c.code == key)).first():
            raise Conflict(f"menu item {key} already exists", field="code")
        products = [(repo.product_by_code(conn, sku), milli) for sku, milli in lines]
        if len({p.id for p, _ in products}) != len(products):
            raise InvalidInput("a recipe names the same product twice", field="recipe")
        rule = check_markdown(markdown_days, percent, [RecipeLine(p.sku, m) for p, m in products])
        item_id = conn.execute(
            insert(t.menu_items).values(
                code=key,
                name=title,
                category=group,
                active=True,
                # By default a single product sold as is (a tin) goes back on the shelf; a dish does not.
                restockable=restockable if restockable is not None else product is not None,
                markdown_days=rule.days if rule else None,
                markdown_bp=int(rule.percent * 100) if rule else None,
                created_at=now,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(
            insert(t.recipe_lines),
            [{"menu_item_id": item_id, "product_id": p.id, "quantity": milli} for p, milli in products],
        )
        conn.execute(
            insert(t.menu_prices).values(
                menu_item_id=item_id, price=amount, effective_at=now, actor=ctx.actor
            )
        )
        return _info(ctx, conn, item_id)


def set_price(ctx: Context, code: str, price: str | Decimal | int) -> MenuItemInfo:
    """A new price from now on; orders already placed keep the price they were sold at."""
    ctx.require(Permission.PRICES)
    amount = parse_money(price, ctx.store.currency, field="price")
    with ctx.db.write() as conn:
        item = menu_item(conn, code, ctx.now(), active_only=False)
        conn.execute(
            insert(t.menu_prices).values(
                menu_item_id=item.id, price=amount, effective_at=ctx.now(), actor=ctx.actor
            )
        )
        return _info(ctx, conn, item.id)


def set_active(ctx: Context, code: str, active: bool) -> MenuItemInfo:
    ctx.require(Permission.PRICES)
    with ctx.db.write() as conn:
        item = menu_item(conn, code, ctx.now(), active_only=False)
        conn.execute(update(t.menu_items).where(t.menu_items.c.id == item.id).values(active=active))
        return _info(ctx, conn, item.id)


def list_menu(ctx: Context, *, include_inactive: bool = False) -> list[MenuItemInfo]:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        query = select(t.menu_items.c.id).order_by(t.menu_items.c.category, t.menu_items.c.code)
        if not include_inactive:
            query = query.where(t.menu_items.c.active.is_(True))
        return [_info(ctx, conn, item_id) for item_id in conn.execute(query).scalars()]


def get_menu_item(ctx: Context, code: str) -> MenuItemInfo:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        return _info(ctx, conn, menu_item(conn, code, ctx.now(), active_only=False).id)


# Built once: the till runs these on every order.
_PRICES_AT = (
    select(t.menu_prices.c.menu_item_id, t.menu_prices.c.price)
    .where(
        t.menu_prices.c.menu_item_id.in_(bindparam("items", expanding=True)),
        t.menu_prices.c.effective_at <= bindparam("at"),
    )
    .order_by(t.menu_prices.c.effective_at.desc(), t.menu_prices.c.id.desc())
)
_ITEMS_BY_CODE = select(t.menu_items).where(t.menu_items.c.code.in_(bindparam("codes", expanding=True)))
_RECIPES = (
    select(t.recipe_lines.c.menu_item_id, t.products.c.sku, t.recipe_lines.c.quantity)
    .join(t.products, t.products.c.id == t.recipe_lines.c.product_id)
    .where(t.recipe_lines.c.menu_item_id.in_(bindparam("items", expanding=True)))
    .order_by(t.recipe_lines.c.id)
)


def recipes(conn: Connection, item_ids: list[int]) -> dict[int, list[RecipeLine]]:
    found: dict[int, list[RecipeLine]] = {item_id: [] for item_id in item_ids}
    for item_id, sku, milli in conn.execute(_RECIPES, {"items": item_ids}):
        found[item_id].append(RecipeLine(sku, milli))
    return found


def markdown_of(row: Row[Any]) -> Markdown | None:
    """The reduce-to-clear rule stored on a menu_items row."""
    if row.markdown_days is None or row.markdown_bp is None:
        return None
    return Markdown(row.markdown_days, Decimal(row.markdown_bp) / 100)


def menu_items(
    conn: Connection, codes: list[str], at: dt.datetime, *, active_only: bool = True
) -> dict[str, MenuItem]:
    """Menu items by code, with the price in force at `at`; unknown or (if asked) inactive ones refused."""
    keys = sorted({check_code(code) for code in codes})
    rows = {row.code: row for row in conn.execute(_ITEMS_BY_CODE, {"codes": keys})}
    for key in keys:
        if key not in rows:
            raise NotFound(f"unknown menu item {key}", field="code")
        if active_only and not rows[key].active:
            raise Conflict(f"menu item {key} is not on sale", field="code")
    ids = [row.id for row in rows.values()]
    recipe = recipes(conn, ids)
    prices: dict[int, int] = {}
    for item_id, price in conn.execute(_PRICES_AT, {"items": ids, "at": at}):
        prices.setdefault(item_id, int(price))  # newest first: the first seen is in force
    for row in rows.values():
        if row.id not in prices:
            raise Conflict(f"menu item {row.code} had no price yet at that time", field="code")
    return {
        code: MenuItem(
            row.id,
            row.code,
            row.name,
            row.active,
            row.restockable,
            prices[row.id],
            recipe[row.id],
            markdown_of(row),
        )
        for code, row in rows.items()
    }


def menu_item(conn: Connection, code: str, at: dt.datetime, *, active_only: bool = True) -> MenuItem:
    return menu_items(conn, [code], at, active_only=active_only)[check_code(code)]


def _info(ctx: Context, conn: Connection, item_id: int) -> MenuItemInfo:
    row = conn.execute(select(t.menu_items).where(t.menu_items.c.id == item_id)).one()
    recipe = [
        RecipeInfo(sku, name, unit, to_decimal(milli))
        for sku, name, unit, milli in conn.execute(
            select(t.products.c.sku, t.products.c.name, t.products.c.unit, t.recipe_lines.c.quantity)
            .join(t.products, t.products.c.id == t.recipe_lines.c.product_id)
            .where(t.recipe_lines.c.menu_item_id == item_id)
            .order_by(t.recipe_lines.c.id)
        )
    ]
    prices = [
        PriceInfo(p.price, p.effective_at, p.actor)
        for p in conn.execute(
            select(t.menu_prices)
            .where(t.menu_prices.c.menu_item_id == item_id)
            .order_by(t.menu_prices.c.effective_at.desc(), t.menu_prices.c.id.desc())
        )
    ]
    return MenuItemInfo(
        id=row.id,
        code=row.code,
        name=row.name,
        category=row.category,
        active=row.active,
        restockable=row.restockable,
        price=prices[0].price,  # the newest: prices take effect when they are set
        currency=ctx.store.currency,
        recipe=recipe,
        markdown_days=row.markdown_days,
        markdown_percent=Decimal(row.markdown_bp) / 100 if row.markdown_bp is not None else None,
        prices=prices,
    )
