"""Modifier groups and options, and the groups a menu item offers."""

from __future__ import annotations

from fastapi import APIRouter, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers, SetOptionActive
from midnight.services import modifiers
from midnight.services.modifiers import Group, ItemModifiers

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["modifiers"])


@router.get("/modifiers")
def list_groups(ctx: CtxDep) -> list[Group]:
    """Every modifier group with its options (an owner sets up a handful)."""
    return modifiers.list_groups(ctx)


@router.post("/modifiers", status_code=status.HTTP_201_CREATED)
def add_group(ctx: CtxDep, body: AddModifierGroup) -> Group:
    """A group of choices: size, add-ons, "leave out" (owner). `min` 1 makes it required."""
    return modifiers.add_group(ctx, body)


@router.post("/modifiers/{group}/options", status_code=status.HTTP_201_CREATED)
def add_option(ctx: CtxDep, group: str, body: AddModifierOption) -> Group:
    """A choice in a group, with its price change and its effect on the recipe (owner)."""
    return modifiers.add_option(ctx, group, body)


@router.put("/modifiers/options/{code}/active")
def set_option_active(ctx: CtxDep, code: str, body: SetOptionActive) -> Group:
    """Offer a choice, or stop offering it (owner); orders that have it keep it."""
    return modifiers.set_option_active(ctx, code, body)


@router.put("/menu/{code}/modifiers")
def offer(ctx: CtxDep, code: str, body: OfferModifiers) -> ItemModifiers:
    """The groups a menu item offers, in the till's order; replaces the list it had (owner)."""
    return modifiers.offer(ctx, code, body)


@router.get("/menu/{code}/modifiers")
def item_modifiers(ctx: CtxDep, code: str) -> ItemModifiers:
    """What the till offers when the item is tapped."""
    return modifiers.item_modifiers(ctx, code)
