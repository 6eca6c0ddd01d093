"""Modifiers: the choices a customer makes on an item ("large", "add egg", "no ham").

A modifier group (size; add-ons; leave out) is attached to menu items and says how many of its
options may or must be chosen. Each option changes the price of one unit by a fixed amount and has
one effect on the recipe drawn from stock:

- none: only the price and the ticket change ("less ice");
- add: draws more of a product per unit (add egg: 1 egg);
- remove: draws none of a product the recipe has (no ham);
- scale: draws the whole recipe times a factor (large = 1.5x).

Scales apply first, then removals, then additions, so "large, add egg" draws 1.5x the salad and one
egg, not one and a half.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.menu import RecipeLine
from midnight.domain.pricing import round_half_up

FACTOR_SCALE = 10_000  # a scale factor in ten-thousandths: 15000 is 1.5x
MAX_FACTOR = 100_000
MAX_CHOICES = 20
MAX_DELTA = 10**9  # minor units either way: a price change beyond this is a typing slip


class Effect(enum.StrEnum):
    NONE = "none"
    ADD = "add"
    REMOVE = "remove"
    SCALE = "scale"


@dataclass(frozen=True)
class Option:
    id: int
    code: str
    name: str
    group_id: int
    group_name: str
    price_delta: int  # minor units per unit sold
    effect: Effect
    sku: str | None = None  # add, remove
    unit: str = ""  # of the product added
    milli: int | None = None  # add: per unit sold
    factor: int | None = None  # scale, in ten-thousandths
    active: bool = True


@dataclass(frozen=True)
class Group:
    id: int
    code: str
    name: str
    min_choices: int
    max_choices: int
    options: tuple[Option, ...]

    @property
    def required(self) -> bool:
        return self.min_choices > 0

    @property
    def rule(self) -> str:
        """How many to choose, as a cashier reads it: "choose 1", "optional", "up to 3", "1 to 2"."""
        if self.min_choices == self.max_choices:
            return f"choose {self.min_choices}"
        if self.min_choices == 0 and self.max_choices == 1:
            return "optional"
        if self.min_choices == 0:
            return f"up to {self.max_choices}"
        return f"{self.min_choices} to {self.max_choices}"


def check_choices(min_choices: int, max_choices: int) -> tuple[int, int]:
    if not 0 <= min_choices <= MAX_CHOICES or not 1 <= max_choices <= MAX_CHOICES:
        raise InvalidInput(
            f"a group allows 0 to {MAX_CHOICES} choices at least and 1 to {MAX_CHOICES} at most", field="max"
        )
    if min_choices > max_choices:
        raise InvalidInput(
            f"a group can't need {min_choices} choices and allow only {max_choices}", field="min"
        )
    return min_choices, max_choices


def check_sellable(group: Group, *, leaving: Option | None = None, offered_by: Sequence[str] = ()) -> None:
    """A group an item offers must leave every line of that item a way to be made: at least as many
    options on sale as its least choices. Refused when an item is to offer it (InvalidInput), or when
    `leaving` (one of its options) is to be taken off sale while items offer it (Conflict)."""
    on_sale = sum(1 for o in group.options if o.active and (leaving is None or o.id != leaving.id))
    if on_sale >= group.min_choices:
        return
    need = "a choice" if group.min_choices == 1 else f"{group.min_choices} choices"
    have = f"{on_sale} option{'' if on_sale == 1 else 's'} on sale"
    if leaving is None:
        raise InvalidInput(
            f"{group.name} ({group.code}) needs {need} on every line but has only {have}: an item "
            "offering it could never be sold; add options to it first (or lower its minimum)",
            field="groups",
        )
    raise Conflict(
        f"{leaving.name} ({leaving.code}) can't be taken off sale: {group.name} needs {need} on every "
        f"line and would have only {have}, and {', '.join(offered_by)} "
        f"{'offers' if len(offered_by) == 1 else 'offer'} it, which could then not be sold; add another "
        "option to the group first, or stop offering it",
        field="code",
    )


def check_effect(
    effect: Effect, sku: str | None, milli: int | None, factor: Decimal | None, price_delta: int
) -> int | None:
    """An option's effect has exactly what it needs; returns the scale factor in ten-thousandths."""
    if abs(price_delta) > MAX_DELTA:
        raise InvalidInput("a modifier's price change is too large", field="price")
    needs = {Effect.ADD: "a product and a quantity", Effect.REMOVE: "a product", Effect.SCALE: "a factor"}
    given = {"product": sku is not None, "quantity": milli is not None, "factor": factor is not None}
    wanted = {
        Effect.NONE: set(),
        Effect.ADD: {"product", "quantity"},
        Effect.REMOVE: {"product"},
        Effect.SCALE: {"factor"},
    }[effect]
    have = {name for name, present in given.items() if present}
    if have != wanted:
        extra = sorted(have - wanted)
        if extra:
            raise InvalidInput(f"a modifier that does {effect.value!r} takes no {extra[0]}", field=extra[0])
        raise InvalidInput(f"a modifier that does {effect.value!r} needs {needs[effect]}", field="effect")
    if factor is None:
        return None
    scaled = factor * FACTOR_SCALE
    if scaled != scaled.to_integral_value() or not 0 < scaled <= MAX_FACTOR:
        raise InvalidInput(
            f"a scale factor is more than 0 and at most {MAX_FACTOR // FACTOR_SCALE}, with up to 4 decimals; "
            f"got {factor}",
            field="factor",
        )
    return int(scaled)


def choose(item: str, groups: Sequence[Group], codes: Iterable[str]) -> list[Option]:
    """The options chosen for one line of `item`, checked against its groups, in the groups' order.

    Every code must be an option of one of the item's groups, on sale, chosen once; each group gets
    between its least and most choices (a required group refuses a line without one). A group's own
    refusal names it in its field ("modifiers.SIZE"), so a till can show it by that group.
    """
    by_code = {option.code: option for group in groups for option in group.options}
    chosen: dict[str, Option] = {}
    for raw in codes:
        code = str(raw).strip().upper()
        option = by_code.get(code)
        if option is None:
            raise InvalidInput(f"{item} has no modifier {code}", field="modifiers")
        if not option.active:
            raise InvalidInput(f"{option.name} is no longer offered", field="modifiers")
        if code in chosen:
            raise InvalidInput(f"{option.name} is chosen twice for one {item}", field="modifiers")
        chosen[code] = option
    ordered: list[Option] = []
    for group in groups:
        mine = [option for option in group.options if option.code in chosen]
        if len(mine) < group.min_choices:
            what = "a choice" if group.min_choices == 1 else f"{group.min_choices} choices"
            raise InvalidInput(f"{item} needs {what} of {group.name}", field=f"modifiers.{group.code}")
        if len(mine) > group.max_choices:
            raise InvalidInput(
                f"{item}: at most {group.max_choices} of {group.name}, not {len(mine)}",
                field=f"modifiers.{group.code}",
            )
        ordered += mine
    return ordered


def unit_price(item: str, base: int, options: Sequence[Option]) -> int:
    """One unit's price with its modifiers: never below nothing."""
    price = base + sum(option.price_delta for option in options)
    if price < 0:
        raise InvalidInput(f"{item} with those modifiers would cost less than nothing", field="modifiers")
    return price


def modified_recipe(item: str, recipe: Sequence[RecipeLine], options: Sequence[Option]) -> list[RecipeLine]:
    """What one unit of the item draws from stock with these modifiers."""
    if not options:
        return list(recipe)
    factor = Decimal(1)
    for option in options:
        if option.effect is Effect.SCALE and option.factor is not None:
            factor *= Decimal(option.factor) / FACTOR_SCALE
    lines = {line.sku: RecipeLine(line.sku, round_half_up(line.milli * factor), line.unit) for line in recipe}
    for option in options:
        if option.effect is Effect.REMOVE and option.sku is not None:
            if option.sku not in lines:
                raise InvalidInput(
                    f"{item} has no {option.sku} to leave out ({option.name})", field="modifiers"
                )
            del lines[option.sku]
    for option in options:
        if option.effect is Effect.ADD and option.sku is not None and option.milli is not None:
            had = lines.get(option.sku)
            lines[option.sku] = RecipeLine(
                option.sku, (had.milli if had else 0) + option.milli, had.unit if had else option.unit
            )
    drawn = [line for line in lines.values() if line.milli > 0]
    if not drawn:
        raise InvalidInput(f"{item} with those modifiers would be made of nothing", field="modifiers")
    return drawn


def describe(options: Sequence[Option]) -> str:
    """How a line's modifiers read on a receipt or a ticket: "Large, add egg, no ham"."""
    return ", ".join(option.name for option in options)
