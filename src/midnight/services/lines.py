"""What each line of an order is made of: the menu item at its price then, the modifiers chosen, one
unit's price with them, and what one unit draws from stock. Quoting, placing and paying all ask here,
so the screen, the order and the ledger agree on every line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from midnight.commands.till import LineIn
from midnight.db import menu as menu_db
from midnight.db import modifiers as modifiers_db
from midnight.db.types import AnyRow
from midnight.domain import modifiers
from midnight.domain.errors import InvalidInput
from midnight.domain.menu import (
    Markdown,
    MenuItem,
    RecipeLine,
    check_sold_whole,
    line_markdown,
    markdown_from,
    sold_as_is,
)
from midnight.domain.modifiers import Option
from midnight.domain.pricing import line_gross


@dataclass(frozen=True)
class Made:
    """One line as it is sold: the item, the options chosen, a unit's price, what a unit draws."""

    item: MenuItem
    options: list[Option]
    unit_price: int  # the item's price with its modifiers
    recipe: list[RecipeLine]  # per unit, modifiers applied

    @property
    def modifier_price(self) -> int:
        return self.unit_price - self.item.price

    @property
    def sealed_sku(self) -> str | None:
        """The product handed over whole and sealed (a tin sold as it is), if the item is one."""
        return self.item.recipe[0].sku if sold_as_is(self.item.recipe) else None

    def markdown(self, milli_sold: int, drawn: dict[str, list[tuple[dt.date, int]]], today: dt.date) -> int:
        """Reduce to clear on the item's own product, a share of its own price (not of its add-ons),
        and never more than the line comes to (a choice that costs less, "small", lowers it)."""
        off = markdown_of(
            self.item.price, milli_sold, self.item.recipe, self.recipe, self.item.markdown, drawn, today
        )
        return min(off, line_gross(self.unit_price, milli_sold))


def markdown_of(
    base_price: int,
    milli_sold: int,
    base_recipe: Sequence[RecipeLine],
    recipe: Sequence[RecipeLine],
    rule: Markdown | None,
    drawn: dict[str, list[tuple[dt.date, int]]],
    today: dt.date,
) -> int:
    if rule is None or len(base_recipe) != 1:
        return 0
    sku = base_recipe[0].sku
    own = [line for line in recipe if line.sku == sku]
    if not own:  # left out altogether: nothing of it was sold, nothing to reduce
        return 0
    return line_markdown(base_price, milli_sold, own, rule, drawn.get(sku, []), today)


def made_lines(conn: Connection, lines: Sequence[LineIn], at: dt.datetime) -> list[Made]:
    """Each line's item at its price at `at`, with its modifiers checked; a tin can't be sold by the half."""
    by_code = menu_db.menu_items(conn, [line.code for line in lines], at)
    # One query, whether or not a line has modifiers: a required choice (a size) must be made.
    groups = modifiers_db.groups_of(conn, [item.id for item in by_code.values()])
    made = []
    for n, line in enumerate(lines, start=1):
        item = by_code[line.code]
        try:
            check_sold_whole(item.name, item.recipe, line.quantity)
        except InvalidInput as exc:
            raise InvalidInput(f"line {n}: {exc.message}", field=f"lines.{n}.quantity") from None
        try:
            options = modifiers.choose(item.name, groups.get(item.id, ()), line.modifiers)
            made.append(
                Made(
                    item,
                    options,
                    modifiers.unit_price(item.name, item.price, options),
                    modifiers.modified_recipe(item.name, item.recipe, options),
                )
            )
        except InvalidInput as exc:
            raise InvalidInput(f"line {n}: {exc.message}", field=f"lines.{n}.modifiers") from None
    return made


def paid_lines(conn: Connection, rows: Sequence[AnyRow]) -> list[Made]:
    """An open order's lines as recorded (prices as rung), with what a unit draws now."""
    base = menu_db.recipes(conn, sorted({row.menu_item_id for row in rows}))
    chosen = modifiers_db.line_modifiers(conn, [row.id for row in rows])
    options = modifiers_db.options_by_id(
        conn, sorted({m.option_id for mods in chosen.values() for m in mods})
    )
    made = []
    for row in rows:
        picked = [options[m.option_id] for m in chosen[row.id]]
        item = MenuItem(
            row.menu_item_id,
            row.code,
            row.name,
            True,
            bool(row.restockable),
            int(row.unit_price) - int(row.modifier_price),
            base[row.menu_item_id],
            markdown_from(row.markdown_days, row.markdown_bp),
        )
        made.append(
            Made(item, picked, int(row.unit_price), modifiers.modified_recipe(row.name, item.recipe, picked))
        )
    return made


def modifier_rows(line_ids: Sequence[int], made: Sequence[Made]) -> list[dict[str, object]]:
    """order_line_modifiers rows for freshly inserted lines (ids in line order)."""
    return [
        {
            "order_line_id": line_id,
            "position": n,
            "option_id": option.id,
            "code": option.code,
            "group_name": option.group_name,
            "name": option.name,
            "price_delta": option.price_delta,
        }
        for line_id, m in zip(line_ids, made, strict=True)
        for n, option in enumerate(m.options, start=1)
    ]
