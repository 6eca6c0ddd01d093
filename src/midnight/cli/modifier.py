"""midnight modifier: choices on menu items (size, add-ons, "no X") and what they do to the recipe."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import NUMBERS_AS_ARGS, JsonFlag, app, command, context_of
from midnight.cli.menu import menu_app
from midnight.cli.output import print_json, table
from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers, SetOptionActive
from midnight.domain.errors import InvalidInput
from midnight.domain.modifiers import FACTOR_SCALE, Effect, Group, Option
from midnight.services import modifiers as modifiers_svc
from midnight.services.context import Context

modifier_app = typer.Typer(help='Modifiers: size, add-ons, "no X" on menu items.', no_args_is_help=True)
group_app = typer.Typer(help="Groups of choices.", no_args_is_help=True)
option_app = typer.Typer(help="The choices in a group.", no_args_is_help=True)
app.add_typer(modifier_app, name="modifier")
modifier_app.add_typer(group_app, name="group")
modifier_app.add_typer(option_app, name="option")


def effect_text(s: Context, option: Option) -> str:
    if option.effect is Effect.ADD:
        return f"adds {option.milli and option.milli / 1000:g} {option.sku}"
    if option.effect is Effect.REMOVE:
        return f"leaves out {option.sku}"
    if option.effect is Effect.SCALE and option.factor is not None:
        return f"{option.factor / FACTOR_SCALE:g}x the recipe"
    return "ticket only"


def _show(s: Context, group: Group) -> None:
    print(f"{group.code}  {group.name}  ({group.rule})")
    for option in group.options:
        price = f"{'+' if option.price_delta >= 0 else '-'}{s.money(abs(option.price_delta))}"
        state = "" if option.active else "  (not offered)"
        print(f"  {option.code}  {option.name}  {price}  {effect_text(s, option)}{state}")


@group_app.command("add")
def group_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE")],
    name: Annotated[str, typer.Argument(metavar="NAME")],
    least: Annotated[str, typer.Option("--min", help="At least this many choices (1: required).")] = "0",
    most: Annotated[str, typer.Option("--max", help="At most this many.")] = "1",
    as_json: JsonFlag = False,
) -> None:
    """Add a group of choices, e.g. SIZE "Size 份量" --min 1 --max 1."""
    s = context_of(ctx)
    group = modifiers_svc.add_group(
        s, command(AddModifierGroup, {"code": code, "name": name, "min": least, "max": most})
    )
    if as_json:
        print_json(group)
        return
    _show(s, group)


def _amount_and_sku(spec: str, what: str) -> tuple[str, str]:
    sku, sep, quantity = spec.partition("=")
    if not sep or not sku.strip() or not quantity.strip():
        raise InvalidInput(f"--{what} takes SKU=QTY, like EGG=1; got {spec!r}", field=what)
    return sku.strip(), quantity.strip()


@option_app.command("add", context_settings=NUMBERS_AS_ARGS)
def option_add(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(metavar="GROUP")],
    code: Annotated[str, typer.Argument(metavar="CODE")],
    name: Annotated[str, typer.Argument(metavar="NAME")],
    price: Annotated[str, typer.Option(help="Added to one unit's price, e.g. 5 or -2.")] = "0",
    adds: Annotated[str | None, typer.Option(help="SKU=QTY drawn per unit besides the recipe.")] = None,
    removes: Annotated[str | None, typer.Option(help="SKU the recipe draws none of.")] = None,
    scales: Annotated[str | None, typer.Option(help="The whole recipe times this, e.g. 1.5.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a choice to a group: EXTRAS ADD-EGG "Add egg" --price 5 --adds EGG=1."""
    given = [name for name, value in (("adds", adds), ("removes", removes), ("scales", scales)) if value]
    if len(given) > 1:
        raise InvalidInput(f"an option does one thing: give one of --{' / --'.join(given)}", field="effect")
    fields: dict[str, object] = {"code": code, "name": name, "price": price}
    if adds:
        sku, quantity = _amount_and_sku(adds, "adds")
        fields |= {"effect": Effect.ADD, "product": sku, "quantity": quantity}
    elif removes:
        fields |= {"effect": Effect.REMOVE, "product": removes}
    elif scales:
        fields |= {"effect": Effect.SCALE, "factor": scales}
    s = context_of(ctx)
    found = modifiers_svc.add_option(s, group, command(AddModifierOption, fields))
    if as_json:
        print_json(found)
        return
    _show(s, found)


@option_app.command("off")
def option_off(ctx: typer.Context, code: Annotated[str, typer.Argument(metavar="CODE")]) -> None:
    """Stop offering a choice (orders that have it keep it)."""
    s = context_of(ctx)
    _show(s, modifiers_svc.set_option_active(s, code, command(SetOptionActive, {"active": False})))


@option_app.command("on")
def option_on(ctx: typer.Context, code: Annotated[str, typer.Argument(metavar="CODE")]) -> None:
    """Offer a choice again."""
    s = context_of(ctx)
    _show(s, modifiers_svc.set_option_active(s, code, command(SetOptionActive, {"active": True})))


@modifier_app.command("list")
def modifier_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every group and its choices."""
    s = context_of(ctx)
    groups = modifiers_svc.list_groups(s)
    if as_json:
        print_json(groups)
        return
    if not groups:
        print("no modifier groups yet: midnight modifier group add CODE NAME")
    for group in groups:
        _show(s, group)


@menu_app.command("modifiers")
def menu_modifiers(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE")],
    groups: Annotated[list[str] | None, typer.Argument(metavar="GROUP...")] = None,
    none: Annotated[bool, typer.Option("--none", help="Offer no modifiers.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The modifier groups an item offers, in the till's order: menu modifiers SALAD SIZE EXTRAS."""
    if not groups and not none:
        raise InvalidInput("name the groups the item offers, or --none", field="groups")
    s = context_of(ctx)
    item = modifiers_svc.offer(s, code, command(OfferModifiers, {"groups": [] if none else groups}))
    if as_json:
        print_json(item)
        return
    if not item.groups:
        print(f"{item.code} offers no modifiers")
    table(
        f"{item.code} {item.name}",
        ["group", "choose", "options"],
        [[g.name, g.rule, ", ".join(o.code for o in g.options)] for g in item.groups],
    )
