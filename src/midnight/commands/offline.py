"""Orders a till rang while it could not reach the server, sent when it is back; and the decisions
a manager makes about those the server could not record as they were."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from midnight.commands import Command, Refused
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import (
    Amount,
    Instant,
    Limit,
    MenuCode,
    Note,
    Quantity,
    Reason,
    TillName,
    UserName,
    words,
)
from midnight.commands.till import MAX_LINES, MAX_MODIFIERS, MAX_PAYMENTS, PaymentIn
from midnight.domain.offline import Decision, OfflineState

LocalNumber = Annotated[str, words(32, required=True, example="T1-0007")]


class OfflineLineIn(Command):
    code: MenuCode
    quantity: Quantity = 1000
    note: Note = ""
    modifiers: list[MenuCode] = Field(default=[], max_length=MAX_MODIFIERS)
    unit_price: Amount = Field(description="One unit's price as the till showed it, modifiers included.")


class OfflineOrderIn(Command):
    """An order as the till rang it offline: what was sold, at what prices, and what was paid."""

    lines: list[OfflineLineIn] = Field(min_length=1, max_length=MAX_LINES)
    payments: list[PaymentIn] = Field(max_length=MAX_PAYMENTS)
    total: Amount = Field(description="The total the customer was shown and paid.")
    rung_at: Instant = Field(description="When it was rung, by the till's clock.")
    local_number: LocalNumber = Field(description="The number the till gave it (on the customer's screen).")
    till: TillName = Field(default="web till", description="The till it was rung on.")
    rung_by: UserName = Field(description="Who was signed in on the till when it was rung.")
    note: Note = ""

    @model_validator(mode="after")
    def _paid_something(self) -> Self:
        if not self.payments and self.total:
            raise Refused("an order rung offline was paid: give its payments", "payments")
        return self


class DecideOffline(Command):
    """What to do with an offline order the server could not record as it was."""

    decision: Decision = Field(
        description="accept: the sale stands as the till rang it (stock drawn as far as there is any); "
        "refund: the customer's money goes back the way it was paid."
    )
    note: Reason = Field(examples=["counted the shelf: the tins were there"])


class OfflineQuery(PageQuery):
    state: OfflineState | None = Field(default=None, description="Default: those waiting for a decision.")
    limit: Limit = 50
