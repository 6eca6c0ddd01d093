"""Modifier groups and options (size; add-ons; "no X"), and which menu items offer them.

An option's effect on the recipe is fixed once it is made (orders parked with it draw by it when
paid); its price change and whether it is offered can change. To change what an option does, add a
new one and stop offering the old.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers, SetOptionActive
from midnight.db import catalog as catalog_db
from midnight.db import menu as menu_db
from midnight.db import modifiers as modifiers_db
from midnight.domain import modifiers
from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.menu import check_code
from midnight.domain.modifiers import Effect, Group, Option
from midnight.domain.money import to_minor
from midnight.domain.people import Permission
from midnight.services.context import Context

__all__ = ["Group", "ItemModifiers", "Option", "add_group", "add_option", "list_groups", "offer"]


def add_group(ctx: Context, cmd: AddModifierGroup) -> Group:
    ctx.require(Permission.PRICES)
    low, high = modifiers.check_choices(cmd.min_choices, cmd.max_choices)
    with ctx.db.write() as conn:
        if modifiers_db.group_taken(conn, cmd.code):
            raise Conflict(f"modifier group {cmd.code} already exists", field="code")
        modifiers_db.insert_group(conn, cmd.code, cmd.name, low, high, ctx.now())
        return _group(conn, cmd.code)


def add_option(ctx: Context, group: str, cmd: AddModifierOption) -> Group:
    """A choice in a group, with its price change per unit and its effect on what is drawn."""
    ctx.require(Permission.PRICES)
    delta = _delta(ctx, cmd)
    factor = modifiers.check_effect(cmd.effect, cmd.product, cmd.quantity, cmd.factor_value(), delta)
    with ctx.db.write() as conn:
        row = modifiers_db.group_row(conn, check_code(group))
        if modifiers_db.option_taken(conn, cmd.code) or modifiers_db.group_taken(conn, cmd.code):
            raise Conflict(f"the code {cmd.code} is already taken by another modifier", field="code")
        product_id = catalog_db.product_by_code(conn, cmd.product).id if cmd.product else None
        modifiers_db.insert_option(
            conn,
            row.id,
            {
                "code": cmd.code,
                "name": cmd.name,
                "price_delta": delta,
                "effect": cmd.effect.value,
                "product_id": product_id,
                "quantity": cmd.quantity if cmd.effect is Effect.ADD else None,
                "factor_bp": factor,
            },
        )
        return _group(conn, row.code)


def _delta(ctx: Context, cmd: AddModifierOption) -> int:
    sign = -1 if cmd.price < 0 else 1
    return sign * to_minor(abs(cmd.price), ctx.store.currency, field="price")


def set_option_active(ctx: Context, code: str, cmd: SetOptionActive) -> Group:
    """Offer an option again, or stop offering it (orders that have it keep it) — refused if that
    leaves a group items offer with fewer options on sale than its least choices."""
    ctx.require(Permission.PRICES)
    with ctx.db.write() as conn:
        row = modifiers_db.option_row(conn, check_code(code))
        if not cmd.active and row.active:
            group = next(g for g in modifiers_db.all_groups(conn) if g.id == row.group_id)
            offered_by = modifiers_db.items_offering(conn, group.id)
            if offered_by:
                leaving = next(o for o in group.options if o.id == row.id)
                modifiers.check_sellable(group, leaving=leaving, offered_by=offered_by)
        modifiers_db.set_option_active(conn, row.id, cmd.active)
        group = next(g for g in modifiers_db.all_groups(conn) if g.id == row.group_id)
        return group


def _group(conn: Connection, code: str) -> Group:
    row = modifiers_db.group_row(conn, code)
    return next(g for g in modifiers_db.all_groups(conn) if g.id == row.id)


def list_groups(ctx: Context) -> list[Group]:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        return modifiers_db.all_groups(conn)


@dataclass(frozen=True)
class ItemModifiers:
    """A menu item and the groups it offers, in the order the till shows them."""

    code: str
    name: str
    price: int
    groups: tuple[Group, ...]


def offer(ctx: Context, code: str, cmd: OfferModifiers) -> ItemModifiers:
    """The modifier groups a menu item offers (the list given replaces the one it had). An option that
    leaves out a product the item's recipe doesn't have is refused here, not at the till."""
    ctx.require(Permission.PRICES)
    wanted = [check_code(group) for group in cmd.groups]
    if len(set(wanted)) != len(wanted):
        raise InvalidInput("a group is named twice", field="groups")
    with ctx.db.write() as conn:
        item = menu_db.menu_item(conn, code, ctx.now(), active_only=False)
        groups = [modifiers_db.group_row(conn, group) for group in wanted]
        by_id = {g.id: g for g in modifiers_db.all_groups(conn)}
        skus = {line.sku for line in item.recipe}
        for group in groups:
            modifiers.check_sellable(by_id[group.id])
            for option in by_id[group.id].options:
                if option.effect is Effect.REMOVE and option.sku not in skus:
                    raise InvalidInput(
                        f"{item.name} has no {option.sku} to leave out ({option.name} in {group.code})",
                        field="groups",
                    )
        modifiers_db.set_item_groups(conn, item.id, [group.id for group in groups])
        return ItemModifiers(
            item.code, item.name, item.price, modifiers_db.groups_of(conn, [item.id])[item.id]
        )


def item_modifiers(ctx: Context, code: str) -> ItemModifiers:
    """What the till's quick sheet offers when the item is tapped."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        item = menu_db.menu_item(conn, code, ctx.now())
        groups = modifiers_db.groups_of(conn, [item.id])[item.id]
    return ItemModifiers(
        item.code,
        item.name,
        item.price,
        tuple(
            Group(g.id, g.code, g.name, g.min_choices, g.max_choices, tuple(o for o in g.options if o.active))
            for g in groups
        ),
    )


def check_chosen(ctx: Context, code: str, chosen: list[str]) -> list[Option]:
    """The options ticked on the till's quick sheet for `code`, checked before a line is made of them,
    by the rules every line of an order is (services.lines): each group between its least and most
    choices, and no unit below nothing. A group's refusal names it ("modifiers.SIZE")."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        item = menu_db.menu_item(conn, code, ctx.now())
        groups = modifiers_db.groups_of(conn, [item.id]).get(item.id, ())
    options = modifiers.choose(item.name, groups, chosen)
    modifiers.unit_price(item.name, item.price, options)
    modifiers.modified_recipe(item.name, item.recipe, options)
    return options


def with_modifiers(ctx: Context, codes: list[str]) -> set[str]:
    """Which of these menu items offer modifiers (the till opens the quick sheet for them)."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        items = menu_db.menu_items(conn, codes, ctx.now(), active_only=False) if codes else {}
        groups = modifiers_db.groups_of(conn, [item.id for item in items.values()])
    return {item.code for item in items.values() if groups.get(item.id)}
