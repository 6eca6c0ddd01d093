"""The menu: items, their recipes of stock, prices over time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, bindparam, func, insert, select, tuple_, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.domain.errors import Conflict, NotFound
from midnight.domain.menu import Markdown, MenuItem, RecipeLine, check_code, markdown_from
from midnight.domain.quantity import to_decimal
from midnight.domain.text import fold


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
    prices: list[PriceInfo]  # newest first, at most PRICE_HISTORY of them
    kitchen_station: str | None = None  # the station that makes it (a ticket when sold); None: none


PRICE_HISTORY = 20

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
    select(t.recipe_lines.c.menu_item_id, t.products.c.sku, t.recipe_lines.c.quantity, t.products.c.unit)
    .join(t.products, t.products.c.id == t.recipe_lines.c.product_id)
    .where(t.recipe_lines.c.menu_item_id.in_(bindparam("items", expanding=True)))
    .order_by(t.recipe_lines.c.id)
)


def recipes(conn: Connection, item_ids: list[int]) -> dict[int, list[RecipeLine]]:
    found: dict[int, list[RecipeLine]] = {item_id: [] for item_id in item_ids}
    for item_id, sku, milli, unit in conn.execute(_RECIPES, {"items": item_ids}):
        found[item_id].append(RecipeLine(sku, milli, unit))
    return found


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
            markdown_from(row.markdown_days, row.markdown_bp),
        )
        for code, row in rows.items()
    }


def menu_item(conn: Connection, code: str, at: dt.datetime, *, active_only: bool = True) -> MenuItem:
    return menu_items(conn, [code], at, active_only=active_only)[check_code(code)]


def code_taken(conn: Connection, code: str) -> bool:
    return conn.execute(select(t.menu_items.c.id).where(t.menu_items.c.code == code)).first() is not None


def insert_item(
    conn: Connection,
    *,
    code: str,
    name: str,
    category: str,
    restockable: bool,
    markdown: Markdown | None,
    recipe: list[tuple[int, int]],
    price: int,
    now: dt.datetime,
    actor: str,
) -> int:
    item_id = conn.execute(
        insert(t.menu_items).values(
            code=code,
            name=name,
            name_key=fold(name),
            category=category,
            active=True,
            restockable=restockable,
            markdown_days=markdown.days if markdown else None,
            markdown_bp=int(markdown.percent * 100) if markdown else None,
            created_at=now,
        )
    ).inserted_primary_key.id  # type: ignore[union-attr]
    conn.execute(
        insert(t.recipe_lines),
        [
            {"menu_item_id": item_id, "product_id": product_id, "quantity": milli}
            for product_id, milli in recipe
        ],
    )
    insert_price(conn, int(item_id), price, now, actor)
    return int(item_id)


def insert_price(conn: Connection, item_id: int, price: int, at: dt.datetime, actor: str) -> None:
    conn.execute(
        insert(t.menu_prices).values(menu_item_id=item_id, price=price, effective_at=at, actor=actor)
    )


def set_active(conn: Connection, item_id: int, active: bool) -> None:
    conn.execute(update(t.menu_items).where(t.menu_items.c.id == item_id).values(active=active))


def set_markdown(conn: Connection, item_id: int, markdown: Markdown | None) -> None:
    conn.execute(
        update(t.menu_items)
        .where(t.menu_items.c.id == item_id)
        .values(
            markdown_days=markdown.days if markdown else None,
            markdown_bp=int(markdown.percent * 100) if markdown else None,
        )
    )


def item_infos(conn: Connection, item_ids: list[int], currency: str) -> list[MenuItemInfo]:
    """Items with their recipes and recent prices, in the order given, in three queries."""
    if not item_ids:
        return []
    ks = t.kitchen_stations.c
    rows = {
        r.id: r
        for r in conn.execute(
            select(t.menu_items, ks.name.label("station"))
            .outerjoin(t.kitchen_stations, ks.id == t.menu_items.c.kitchen_station_id)
            .where(t.menu_items.c.id.in_(item_ids))
        )
    }
    recipe: dict[int, list[RecipeInfo]] = {i: [] for i in item_ids}
    for item_id, sku, name, unit, milli in conn.execute(
        select(
            t.recipe_lines.c.menu_item_id,
            t.products.c.sku,
            t.products.c.name,
            t.products.c.unit,
            t.recipe_lines.c.quantity,
        )
        .join(t.products, t.products.c.id == t.recipe_lines.c.product_id)
        .where(t.recipe_lines.c.menu_item_id.in_(item_ids))
        .order_by(t.recipe_lines.c.id)
    ):
        recipe[item_id].append(RecipeInfo(sku, name, unit, to_decimal(milli)))
    prices: dict[int, list[PriceInfo]] = {i: [] for i in item_ids}
    p = t.menu_prices.c
    newest = (
        func.row_number()
        .over(partition_by=p.menu_item_id, order_by=(p.effective_at.desc(), p.id.desc()))
        .label("n")
    )
    ranked = select(p.menu_item_id, p.price, p.effective_at, p.actor, newest).where(
        p.menu_item_id.in_(item_ids)
    )
    recent = ranked.subquery()
    for row in conn.execute(
        select(recent).where(recent.c.n <= PRICE_HISTORY).order_by(recent.c.menu_item_id, recent.c.n)
    ):
        prices[row.menu_item_id].append(PriceInfo(row.price, row.effective_at, row.actor))
    return [
        MenuItemInfo(
            id=row.id,
            code=row.code,
            name=row.name,
            category=row.category,
            active=row.active,
            restockable=row.restockable,
            price=prices[row.id][0].price,  # the newest: prices take effect when they are set
            currency=currency,
            recipe=recipe[row.id],
            markdown_days=row.markdown_days,
            markdown_percent=Decimal(row.markdown_bp) / 100 if row.markdown_bp is not None else None,
            prices=prices[row.id],
            kitchen_station=row.station,
        )
        for row in (rows[i] for i in item_ids)
    ]


def menu(
    conn: Connection, *, include_inactive: bool, currency: str, cursor: str | None, limit: int
) -> paging.Page[MenuItemInfo]:
    """The menu by category and code, a page at a time."""
    m = t.menu_items.c
    query = select(m.id, m.category, m.code).order_by(m.category, m.code).limit(limit + 1)
    if not include_inactive:
        query = query.where(m.active.is_(True))
    if cursor is not None:
        after = paging.decode("menu", cursor, [str, str])
        query = query.where(tuple_(m.category, m.code) > tuple_(*after))
    rows = conn.execute(query).all()
    items = item_infos(conn, [r.id for r in rows], currency)
    return paging.page(items, limit, "menu", lambda i: [i.category, i.code])


def till_items(conn: Connection, *, key: str | None, currency: str, limit: int) -> list[MenuItemInfo]:
    """Items on sale for the till's grid, by category and code: all of them, or those whose folded
    name contains `key` or whose code starts with it. A menu is a few hundred rows; `limit` bounds it."""
    m = t.menu_items.c
    query = select(m.id).where(m.active.is_(True)).order_by(m.category, m.code).limit(limit)
    if key:
        pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            m.name_key.contains(pattern, autoescape=False, escape="\\")
            | m.code.startswith(pattern.upper(), autoescape=False, escape="\\")
        )
    return item_infos(conn, [row.id for row in conn.execute(query)], currency)


def items_for_barcode(conn: Connection, barcode: str) -> dict[int, str]:
    """Menu items on sale whose recipe draws the product with this barcode: id -> code."""
    m, r, p = t.menu_items.c, t.recipe_lines.c, t.products.c
    query = (
        select(m.id, m.code)
        .join(t.recipe_lines, r.menu_item_id == m.id)
        .join(t.products, p.id == r.product_id)
        .where(p.barcode == barcode, m.active.is_(True))
        .order_by(m.code)
        .limit(20)
    )
    return {row.id: row.code for row in conn.execute(query)}


def names(conn: Connection, codes: list[str]) -> dict[str, str]:
    keys = sorted({str(c).strip().upper() for c in codes})[:200]
    m = t.menu_items.c
    return {row.code: row.name for row in conn.execute(select(m.code, m.name).where(m.code.in_(keys)))}
