"""Cash: a till's drawer session (open with a float, pay in, pay out, close with a count), and counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from midnight.commands import Command
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import Amount, IdempotencyKey, Limit, Parsed, Reason, whole, words
from midnight.domain.cash import MAX_PIECES, MoveKind

TillName = Annotated[str, words(100, required=True, example="Till 1")]
Pieces = Annotated[int, whole(0, MAX_PIECES, "How many of this note or coin.")]
Kind = Annotated[
    MoveKind,
    Parsed(
        lambda v, f: MoveKind.parse(v),
        {"type": "string", "enum": [k.value for k in MoveKind], "description": "in: pay-in; out: pay-out."},
    ),
]


class PieceCount(Command):
    value: Amount = Field(description="A note or coin of the store's currency.", examples=["100"])
    count: Pieces


class CashCount(Command):
    """Cash counted: a total, or notes and coins (the server adds them up), or both if they agree."""

    counted: Amount | None = Field(
        default=None, description="The cash counted, in total.", examples=["1520.50"]
    )
    counts: list[PieceCount] | None = Field(
        default=None, max_length=50, examples=[[{"value": "100", "count": 12}, {"value": "0.5", "count": 3}]]
    )


class OpenDrawer(Command):
    till: TillName
    float_amount: Amount = Field(
        default=Decimal(0), alias="float", description="Cash put in the drawer to give change from."
    )


class DrawerMove(Command):
    """A pay-in or pay-out: cash in or out of the drawer for something other than a sale."""

    kind: Kind
    amount: Amount = Field(examples=["50"])
    reason: Reason = Field(examples=["milk from the corner shop"])
    key: IdempotencyKey | None = Field(
        default=None, description="Chosen by the page or program; the same key records it once."
    )


class CloseDrawer(CashCount):
    pass


class DrawerQuery(PageQuery):
    limit: Limit = 50
