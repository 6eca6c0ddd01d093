"""Modifier groups and their options, and which menu items offer them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Self

from pydantic import Field, model_validator

from midnight.commands import Command, Refused
from midnight.commands.fields import Flag, MenuCode, Name, ProductCode, Quantity, SignedAmount, whole
from midnight.domain.modifiers import MAX_CHOICES, Effect
from midnight.domain.quantity import exact_decimal

Choices = Annotated[int, whole(0, MAX_CHOICES, "How many options may be chosen.")]


def _factor(value: object) -> Decimal:
    return exact_decimal(value, "factor", '"1.5"')


class AddModifierGroup(Command):
    """A group of choices (size; add-ons; leave out) that menu items can offer."""

    code: MenuCode = Field(examples=["SIZE"])
    name: Name = Field(examples=["Size 份量"])
    min_choices: Choices = Field(default=0, alias="min", description="At least this many (1: required).")
    max_choices: Choices = Field(default=1, alias="max", description="At most this many.")


class AddModifierOption(Command):
    """One choice in a group: its price change per unit and what it does to the recipe."""

    code: MenuCode = Field(examples=["ADD-EGG"])
    name: Name = Field(examples=["Add egg 加蛋"])
    price: SignedAmount = Field(default=Decimal(0), description="Added to one unit's price; may be negative.")
    effect: Effect = Field(
        default=Effect.NONE,
        description="none (the ticket only), add (draws more of a product), remove (draws none of it), "
        "scale (the whole recipe times a factor).",
    )
    product: ProductCode | None = Field(default=None, description="add or remove: which product.")
    quantity: Quantity | None = Field(default=None, description="add: how much of it per unit sold.")
    factor: Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]{1,4})?$")] | None = Field(
        default=None, examples=["1.5"], description="scale: 1.5 draws one and a half times the recipe."
    )

    @model_validator(mode="after")
    def _effect_has_what_it_needs(self) -> Self:
        needs = {
            Effect.NONE: set(),
            Effect.ADD: {"product", "quantity"},
            Effect.REMOVE: {"product"},
            Effect.SCALE: {"factor"},
        }[self.effect]
        given = {name for name in ("product", "quantity", "factor") if getattr(self, name) is not None}
        for name in sorted(given - needs):
            raise Refused(f"an option that does {self.effect.value!r} takes no {name}", name)
        for name in sorted(needs - given):
            raise Refused(f"an option that does {self.effect.value!r} needs a {name}", name)
        return self

    def factor_value(self) -> Decimal | None:
        return None if self.factor is None else _factor(self.factor)


class OfferModifiers(Command):
    """The modifier groups a menu item offers, in the order the till shows them (replaces the list)."""

    groups: list[MenuCode] = Field(max_length=20, examples=[["SIZE", "EXTRAS"]])


class SetOptionActive(Command):
    active: Flag
