"""Planning what to buy: a supplier's suggested order, accepting it, and stock that will expire unsold."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from midnight.commands import Command
from midnight.commands.fields import IdempotencyKey, Note, whole
from midnight.commands.purchasing import OrderLineEdit, SupplierRef
from midnight.commands.till import Period
from midnight.domain.purchasing import MAX_LINES

UnsoldDays = Annotated[int, whole(1, 14, "Days ahead to look, from today (1-14).")]


class SuggestQuery(Command):
    supplier: SupplierRef


class AcceptSuggestions(Command):
    """Make a draft order from a supplier's suggestions; `changes` sets a line's quantity (0 leaves it out)."""

    supplier: SupplierRef
    changes: list[OrderLineEdit] = Field(default_factory=list, max_length=MAX_LINES)
    note: Note = ""
    key: IdempotencyKey | None = Field(
        default=None, description="Chosen by the form or program: the same key makes one order."
    )


class UnsoldQuery(Command):
    days: UnsoldDays = 7


class ReportQuery(Period):
    """A buying report's period (business days, first to last), as JSON or as a CSV file."""

    format: Literal["json", "csv"] = Field(default="json", description="csv: the same rows as a CSV file.")
