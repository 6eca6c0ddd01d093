"""Modifier groups, their options, the items that offer them, and what each order line was sold with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from midnight.db import tables as t
from midnight.db.types import AnyRow
from midnight.domain.errors import NotFound
from midnight.domain.modifiers import Effect, Group, Option

g, o, mim = t.modifier_groups.c, t.modifier_options.c, t.menu_item_modifiers.c

# Built once: the till reads an order's items' groups on every order that has any.
_GROUPS_OF_ITEMS = (
    select(
        mim.menu_item_id,
        g.id.label("group_id"),
        g.code.label("group_code"),
        g.name.label("group_name"),
        g.min_choices,
        g.max_choices,
        o.id,
        o.code,
        o.name,
        o.price_delta,
        o.effect,
        o.quantity,
        o.factor_bp,
        o.active,
        t.products.c.sku,
        t.products.c.unit,
    )
    .join(t.modifier_groups, g.id == mim.group_id)
    .outerjoin(t.modifier_options, o.group_id == g.id)
    .outerjoin(t.products, t.products.c.id == o.product_id)
    .where(mim.menu_item_id.in_(bindparam("items", expanding=True)))
    .order_by(mim.menu_item_id, mim.position, o.position, o.id)
)
_OPTIONS_BY_ID = (
    select(
        o.id,
        o.code,
        o.name,
        o.group_id,
        g.name.label("group_name"),
        o.price_delta,
        o.effect,
        o.quantity,
        o.factor_bp,
        o.active,
        t.products.c.sku,
        t.products.c.unit,
    )
    .join(t.modifier_groups, g.id == o.group_id)
    .outerjoin(t.products, t.products.c.id == o.product_id)
    .where(o.id.in_(bindparam("ids", expanding=True)))
)
_LINE_MODIFIERS = (
    select(t.order_line_modifiers)
    .where(t.order_line_modifiers.c.order_line_id.in_(bindparam("lines", expanding=True)))
    .order_by(t.order_line_modifiers.c.order_line_id, t.order_line_modifiers.c.position)
)


def _option(row: AnyRow, group_name: str) -> Option:
    return Option(
        id=row.id,
        code=row.code,
        name=row.name,
        group_id=row.group_id,
        group_name=group_name,
        price_delta=int(row.price_delta),
        effect=Effect(row.effect),
        sku=row.sku,
        unit=row.unit or "",
        milli=int(row.quantity) if row.quantity is not None else None,
        factor=row.factor_bp,
        active=bool(row.active),
    )


def groups_of(conn: Connection, item_ids: Sequence[int]) -> dict[int, tuple[Group, ...]]:
    """Each item's modifier groups, in the order the till shows them, with their options: one query."""
    found: dict[int, list[Group]] = {item_id: [] for item_id in item_ids}
    if not item_ids:
        return {}
    current: dict[tuple[int, int], tuple[AnyRow, list[Option]]] = {}
    order: list[tuple[int, int]] = []
    for row in conn.execute(_GROUPS_OF_ITEMS, {"items": list(item_ids)}):
        key = (row.menu_item_id, row.group_id)
        if key not in current:
            current[key] = (row, [])
            order.append(key)
        if row.id is not None:
            current[key][1].append(_option(row, row.group_name))
    for key in order:
        row, options = current[key]
        found[key[0]].append(
            Group(
                row.group_id, row.group_code, row.group_name, row.min_choices, row.max_choices, tuple(options)
            )
        )
    return {item_id: tuple(groups) for item_id, groups in found.items()}


def options_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, Option]:
    if not ids:
        return {}
    return {row.id: _option(row, row.group_name) for row in conn.execute(_OPTIONS_BY_ID, {"ids": list(ids)})}


def line_modifiers(conn: Connection, line_ids: Sequence[int]) -> dict[int, list[AnyRow]]:
    """What each order line was sold with (names and prices as they were then)."""
    found: dict[int, list[AnyRow]] = {line_id: [] for line_id in line_ids}
    if not line_ids:
        return found
    for row in conn.execute(_LINE_MODIFIERS, {"lines": list(line_ids)}):
        found[row.order_line_id].append(row)
    return found


def insert_line_modifiers(conn: Connection, store_id: int, rows: list[dict[str, object]]) -> None:
    """What each order line was sold with, in the order's store."""
    if rows:
        conn.execute(insert(t.order_line_modifiers), [{"store_id": store_id, **row} for row in rows])


def delete_line_modifiers(conn: Connection, line_ids: Sequence[int]) -> None:
    """Only for an open order's lines being replaced (nothing was drawn or paid for them)."""
    if line_ids:
        conn.execute(
            delete(t.order_line_modifiers).where(t.order_line_modifiers.c.order_line_id.in_(list(line_ids)))
        )


# --- setting them up ----------------------------------------------------------------------------


def group_row(conn: Connection, code: str) -> AnyRow:
    row = conn.execute(select(t.modifier_groups).where(g.code == code)).first()
    if row is None:
        raise NotFound(f"no modifier group {code}", field="group")
    return row


def group_taken(conn: Connection, code: str) -> bool:
    return conn.execute(select(g.id).where(g.code == code)).first() is not None


def option_taken(conn: Connection, code: str) -> bool:
    return conn.execute(select(o.id).where(o.code == code)).first() is not None


def option_row(conn: Connection, code: str) -> AnyRow:
    row = conn.execute(select(t.modifier_options).where(o.code == code)).first()
    if row is None:
        raise NotFound(f"no modifier option {code}", field="option")
    return row


def insert_group(
    conn: Connection, code: str, name: str, min_choices: int, max_choices: int, now: dt.datetime
) -> int:
    result = conn.execute(
        insert(t.modifier_groups).values(
            code=code, name=name, min_choices=min_choices, max_choices=max_choices, created_at=now
        )
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def insert_option(conn: Connection, group_id: int, values: dict[str, object]) -> int:
    position = conn.execute(
        select(func.coalesce(func.max(o.position), 0)).where(o.group_id == group_id)
    ).scalar_one()
    result = conn.execute(
        insert(t.modifier_options).values(
            group_id=group_id, position=int(position) + 1, active=True, **values
        )
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def set_option_active(conn: Connection, option_id: int, active: bool) -> None:
    conn.execute(update(t.modifier_options).where(o.id == option_id).values(active=active))


def items_offering(conn: Connection, group_id: int, limit: int = 5) -> list[str]:
    """Codes of (some of) the menu items that offer a group, by code; on the menu or not."""
    return list(
        conn.execute(
            select(t.menu_items.c.code)
            .join(t.menu_item_modifiers, mim.menu_item_id == t.menu_items.c.id)
            .where(mim.group_id == group_id)
            .order_by(t.menu_items.c.code)
            .limit(limit)
        ).scalars()
    )


def set_item_groups(conn: Connection, item_id: int, group_ids: Sequence[int]) -> None:
    conn.execute(delete(t.menu_item_modifiers).where(mim.menu_item_id == item_id))
    if group_ids:
        conn.execute(
            insert(t.menu_item_modifiers),
            [
                {"menu_item_id": item_id, "group_id": group_id, "position": n}
                for n, group_id in enumerate(group_ids, start=1)
            ],
        )


def all_groups(conn: Connection, limit: int = 200) -> list[Group]:
    """Every group with its options, by code (an owner sets up a handful)."""
    rows = conn.execute(select(t.modifier_groups).order_by(g.code).limit(limit)).all()
    options: dict[int, list[Option]] = {row.id: [] for row in rows}
    if rows:
        for row in conn.execute(
            select(
                o.id,
                o.code,
                o.name,
                o.group_id,
                g.name.label("group_name"),
                o.price_delta,
                o.effect,
                o.quantity,
                o.factor_bp,
                o.active,
                t.products.c.sku,
                t.products.c.unit,
            )
            .join(t.modifier_groups, g.id == o.group_id)
            .outerjoin(t.products, t.products.c.id == o.product_id)
            .where(o.group_id.in_(list(options)))
            .order_by(o.group_id, o.position, o.id)
        ):
            options[row.group_id].append(_option(row, row.group_name))
    return [
        Group(row.id, row.code, row.name, row.min_choices, row.max_choices, tuple(options[row.id]))
        for row in rows
    ]
